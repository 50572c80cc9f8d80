"""Helpdesk and inventory (GLPI): clients v1/v2, RACI routing, spool, inventory payloads.

Entry points: `routing.plan()` (findings -> operations), `guichet.deliver()` (spool then
send), `inventory.from_*()` (native inventory), `cli.register()` (`amico guichet ...`).
"""
