"""Every write is one function here: keyword-only, typed, atomic, appending its timeline entry."""
