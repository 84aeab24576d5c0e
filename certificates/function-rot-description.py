def g(s):
    return s.upper()[::-1].translate(str.maketrans('ABC', 'BCA'))
