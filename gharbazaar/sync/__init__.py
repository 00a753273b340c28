"""Resync after a reconnect: everything a client missed, in order, over REST or Socket.IO."""
