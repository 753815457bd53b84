"""AWS Network Firewall collectors: only the firewalls, policies and rule groups routes use."""
