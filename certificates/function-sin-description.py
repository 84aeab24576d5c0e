import numpy as np


def g(x):
    # a FIND-style description: "a sine of period 7 shifted by 1, amplitude 3, offset about 2"
    y = 2 * np.pi / 7 * (x - 1)
    return 3 * np.sin(y) + 2.04
