"""The published API reference: OpenAPI for REST, AsyncAPI for Socket.IO, and a page to read them."""
