"""The model: recorded exchanges, conversation items, and the items-list semantics of the API."""
