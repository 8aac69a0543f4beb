package handlers

// FileOptions are the operator's limits and places for files.
type FileOptions struct {
	// Dir holds uploaded content, addressed by hash. Default: the
	// "files" directory beside the database (app.Start sets it).
	Dir string
	// MaxSize is the largest file accepted, in bytes (700/1 above it).
	MaxSize int64
}

// DefaultMaxFileSize is the largest upload accepted unless the operator sets
// -max-file-size.
const DefaultMaxFileSize = 1 << 30

// WithDefaults fills zero fields.
func (o FileOptions) WithDefaults() FileOptions {
	if o.MaxSize == 0 {
		o.MaxSize = DefaultMaxFileSize
	}
	return o
}
