"""Supervision: Zabbix fed from the référentiel, its problems routed to the helpdesk."""
