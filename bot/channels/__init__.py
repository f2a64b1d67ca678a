"""Channel set-up: which input channels the Rasa server opens."""
