def load_peers(ctx):
    pass
