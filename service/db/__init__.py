"""Tables, engine and session scope. SQLAlchemy 2, sync, shared by the API and the workers."""
