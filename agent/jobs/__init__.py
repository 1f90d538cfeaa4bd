"""Background work run once at a time and recorded: the cycle's step protocol, the job
wrapper, the advisory locks and the ``job_runs`` table.

Below every feature package, so any of them can define a cycle step or a job.
"""
