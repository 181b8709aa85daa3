"""What the district does, for every front door (the CLI, the flows, the web desk): consolidate
a month, write its reports, approve, explain. Calls the rooms below; runs no SQL of its own."""
