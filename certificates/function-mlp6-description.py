def g(x):
    return max(x, 0) - 0.5*max(x - 2, 0)
