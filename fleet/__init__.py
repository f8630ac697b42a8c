"""Fleet scans: many sellers on a schedule, concurrent, with their history in a database.

sellers.py   the sellers file (YAML or CSV) and the fleet's settings
task.py      scan one seller: the one task function local runs and Celery workers share
child.py     the subprocess a scan runs in (a hung browser is killed with it)
polite.py    per-host rate limit, concurrent-page cap, User-Agent, robots.txt
db.py        the history tables (SQLAlchemy Core; Alembic migrations in migrations/)
runner.py    a fleet run on one machine: concurrency, watchdog, resume
shared_browser.py  one Chromium shared by a run's scans (--browser-mode shared), restarted
             when it crashes
history.py   reading the history: a seller's scans, the diff of two scans
report.py    the fleet report (HTML, XLSX) with trend plots
storage.py   where bundles go: a local or shared folder, or S3 (one small interface)
distributed.py  Celery tasks, worker and beat schedule
schedule.py  cron schedules on one machine (APScheduler)
"""
