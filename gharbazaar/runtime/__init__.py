"""Runtime pieces that reach into the libraries' private parts: each is tested against them."""
