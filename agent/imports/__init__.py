"""Loading invoice files into the profile, with rejected rows kept aside."""
