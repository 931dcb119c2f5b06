package scrub

// PDF is not written yet.
func PDF(src []byte) ([]byte, error) { return nil, unsupported("PDF not yet supported") }
