"""Word lists the demo book draws names from (invented; no real companies or people)."""

from __future__ import annotations

# fmt: off
FIRST_NAMES: tuple[str, ...] = (
    "Amelia", "Ben", "Carla", "Daniel", "Elena", "Farid", "Grace", "Hugo", "Ines", "Jonas",
    "Kavya", "Liam", "Maya", "Nikolai", "Olivia", "Pedro", "Quinn", "Rosa", "Samir", "Tara",
    "Uma", "Victor", "Wen", "Ximena", "Yusuf", "Zoe", "Aisha", "Bruno", "Chloe", "Diego",
    "Emma", "Felix", "Hannah", "Isaac", "Julia", "Kenji", "Lena", "Marco", "Nora", "Oscar",
)
LAST_NAMES: tuple[str, ...] = (
    "Adler", "Brennan", "Castillo", "Dubois", "Eriksen", "Fischer", "Gallagher", "Haddad",
    "Ibarra", "Jansen", "Kowalski", "Lindqvist", "Moreau", "Nakamura", "Okafor", "Patel",
    "Quintero", "Rossi", "Schneider", "Tanaka", "Ulrich", "Vasquez", "Weber", "Xu", "Yilmaz",
    "Zimmermann", "Abbott", "Bianchi", "Chen", "Duarte", "Evans", "Novak", "Hughes", "Keller",
    "Larsen", "Murphy", "O'Neill", "Price", "Reyes", "Sato",
)
COMPANY_WORDS: tuple[str, ...] = (
    "Northwind", "Bluepeak", "Cedar", "Harbor", "Ironwood", "Juniper", "Keystone", "Lakeside",
    "Meridian", "Oakridge", "Pinecrest", "Quarry", "Redwood", "Silverline", "Summit",
    "Tidewater", "Brightwater", "Copperfield", "Driftwood", "Evergreen", "Foxglove", "Granite",
    "Highland", "Amber", "Beacon", "Cobalt", "Falcon", "Horizon", "Lighthouse", "Maple",
    "Nimbus", "Orchard", "Polaris", "Riverbend", "Sandstone", "Stonebridge", "Thistle",
    "Vantage", "Westgate", "Willow", "Arcadia", "Bramble", "Crestline", "Elmstead",
    "Fairhaven", "Goldcrest", "Hollybrook", "Kingsford", "Larkspur", "Marlow", "Ashford",
    "Bayview", "Clearwater", "Dunmore", "Eastbrook", "Fernhill", "Glenwood", "Hawthorn",
    "Ivory", "Kestrel",
)
INDUSTRY_WORDS: tuple[str, ...] = (
    "Logistics", "Analytics", "Health", "Manufacturing", "Foods", "Freight", "Energy",
    "Robotics", "Software", "Systems", "Labs", "Dynamics", "Partners", "Retail", "Media",
    "Pharma", "Consulting", "Engineering", "Networks", "Security", "Supply", "Capital",
    "Biotech", "Outfitters", "Hospitality", "Materials", "Mobility", "Telecom", "Textiles",
    "Instruments", "Marine", "Aerospace", "Packaging", "Farms", "Clinics", "Studios",
    "Insurance", "Payments", "Learning", "Data",
)
CONTACT_TITLES: tuple[str, ...] = (
    "Accounts Payable Specialist", "AP Manager", "Controller", "VP Finance", "CFO",
    "Procurement Lead", "Head of Operations", "IT Director", "Finance Director",
    "Office Manager",
)
# fmt: on
