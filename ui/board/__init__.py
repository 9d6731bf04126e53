"""The booking board: a grid of resources × 15-minute slots, painted and dragged."""
