package handlers

// FileOptions are the operator's limits and places for files. Zero fields
// get the defaults below (WithDefaults).
type FileOptions struct {
	// MaxSize is the largest file accepted, in bytes (700/1 above it).
	MaxSize int64
	// ChunkSize is the largest chunk FileUpload takes (the limit the server
	// names).
	ChunkSize int32
	// EdgeBytes is how many first and last bytes FileUploadInit must carry
	// (fewer when the file is smaller): they let a known file complete
	// without its content being sent, so they are proof of holding it.
	EdgeBytes int32
	// MaxDownload is the largest slice FileDownload returns (713/3 above it).
	MaxDownload int32
	// MaxConnections is what FileUploadOption announces. Chunks of one
	// upload go in order (the server names each offset), so more than one
	// connection only helps to upload several files at once.
	MaxConnections int32
	// MaxPartialUploads is how many unfinished uploads a user keeps; a new
	// one beyond that discards the least recently active.
	MaxPartialUploads int
	// MaxUserStorage bounds the sum of the sizes of a user's distinct
	// files, uploaded or under way; an upload beyond it is refused at
	// FileUploadInit.
	MaxUserStorage int64
	// MaxFrame is the largest frame a client may send (the server's
	// -max-frame); chunks and edge bytes are capped so that a request
	// carrying them fits. 0: no cap beyond the defaults.
	MaxFrame int
}

// Defaults of FileOptions.
const (
	DefaultMaxFileSize       = 1 << 30
	DefaultChunkSize         = 1 << 20 // capped by MaxFrame: each chunk costs a round trip and a commit
	DefaultEdgeBytes         = 1 << 10
	DefaultMaxDownload       = 512 << 10
	DefaultMaxConnections    = 1
	DefaultMaxPartialUploads = 10
	DefaultMaxUserStorage    = 10 << 30
)

// frameOverhead is room in a request frame for everything but the bytes:
// the action id, the request header and FileUpload's token (at most 256
// bytes by validation) and offset.
const frameOverhead = 512

// WithDefaults fills zero fields.
func (o FileOptions) WithDefaults() FileOptions {
	if o.MaxSize == 0 {
		o.MaxSize = DefaultMaxFileSize
	}
	if o.ChunkSize == 0 {
		o.ChunkSize = DefaultChunkSize
	}
	if o.EdgeBytes == 0 {
		o.EdgeBytes = DefaultEdgeBytes
	}
	if o.MaxFrame > 0 {
		// A server that refuses frames above MaxFrame could never receive a
		// chunk or an init (two edges) larger than that.
		room := int32(max(o.MaxFrame-frameOverhead, 2))
		o.ChunkSize = min(o.ChunkSize, room)
		o.EdgeBytes = min(o.EdgeBytes, room/2)
	}
	if o.MaxDownload == 0 {
		o.MaxDownload = DefaultMaxDownload
	}
	if o.MaxConnections == 0 {
		o.MaxConnections = DefaultMaxConnections
	}
	if o.MaxPartialUploads == 0 {
		o.MaxPartialUploads = DefaultMaxPartialUploads
	}
	if o.MaxUserStorage == 0 {
		o.MaxUserStorage = DefaultMaxUserStorage
	}
	return o
}

// edgeLen is how many first (and last) bytes an upload of size bytes starts
// with.
func (o FileOptions) edgeLen(size int64) int {
	return int(min(size, int64(o.EdgeBytes)))
}

// chunkLimit is the limit the server names for the chunk at offset: 0 once
// nothing is left.
func (o FileOptions) chunkLimit(size, offset int64) int32 {
	return int32(max(0, min(size-offset, int64(o.ChunkSize))))
}
