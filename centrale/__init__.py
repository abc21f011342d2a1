"""The care network: registry, cases, tasks, auth, audit and events of the Centrale Operativa."""
