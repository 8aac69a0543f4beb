package handlers

import (
	"encoding/hex"

	"github.com/gapd/gapd/generated/pb"
	"github.com/gapd/gapd/storage"
)

// fileMessage renders an upload, read with its content, as the File message
// clients see in messages and FileInfo: the token names this upload,
// cache_id the content, so a client that already holds the bytes under
// another token reuses them.
func fileMessage(f storage.File) *pb.File {
	out := &pb.File{Token: f.Token, Name: f.Name, Size: f.Size}
	if f.Uploading() {
		return out
	}
	c := f.Content
	id := hex.EncodeToString(c.Hash)
	out.CacheId = id
	out.Width, out.Height, out.Duration = c.Width, c.Height, c.Duration
	if c.SmallSize > 0 {
		out.SmallThumbnail = &pb.Thumbnail{Size: c.SmallSize, Width: c.SmallWidth, Height: c.SmallHeight, CacheId: id + "-small"}
	}
	if c.LargeSize > 0 {
		out.LargeThumbnail = &pb.Thumbnail{Size: c.LargeSize, Width: c.LargeWidth, Height: c.LargeHeight, CacheId: id + "-large"}
	}
	return out
}
