"""Users as the backend learns them from tokens: id, role, name, email."""
