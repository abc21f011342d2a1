"""The live board: the websocket hub, its snapshot and scoping, and the board page's stream."""
