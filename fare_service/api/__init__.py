"""The HTTP API: thin routers over the core (validate -> call the core -> shape the answer)."""
