package storage

// DeviceLink is a device waiting to be let in (QrCodeNewDevice) under the
// hash of its token.
type DeviceLink struct {
	TokenHash []byte `db:"token_hash"`
	DeviceInfo
	ExpiresAt int64 `db:"expires_at"`
}

const (
	qPutDeviceLink = `INSERT INTO device_links (token_hash, app_name, app_id, app_build_version, app_version,
		platform, platform_version, device, device_name, ip, expires_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`
	qTakeDeviceLink = `DELETE FROM device_links WHERE token_hash = ? RETURNING token_hash, app_name, app_id,
		app_build_version, app_version, platform, platform_version, device, device_name, ip, expires_at`
	qDropDeviceLink   = `DELETE FROM device_links WHERE token_hash = ?`
	qPruneDeviceLinks = `DELETE FROM device_links WHERE expires_at < ?`
)

// PutDeviceLink stores a waiting device; ErrDuplicate if the hash is taken.
func (t *Tx) PutDeviceLink(l DeviceLink) error {
	d := l.DeviceInfo
	return t.guard(func() error {
		_, err := t.exec("put device link", qPutDeviceLink, l.TokenHash, d.AppName, d.AppID, d.AppBuildVersion,
			d.AppVersion, d.Platform, d.PlatformVersion, d.Device, d.DeviceName, d.IP, l.ExpiresAt)
		return err
	})
}

// TakeDeviceLink removes and returns the waiting device under that hash
// (a token works once), or ErrNotFound. Expiry is the caller's to judge.
func (t *Tx) TakeDeviceLink(tokenHash []byte) (DeviceLink, error) {
	var l DeviceLink
	return l, t.get("take device link", &l, qTakeDeviceLink, tokenHash)
}

// DropDeviceLink forgets a waiting device (its connection went, or asked
// again); no row is no error.
func (t *Tx) DropDeviceLink(tokenHash []byte) error {
	_, err := t.exec("drop device link", qDropDeviceLink, tokenHash)
	return err
}

// PruneDeviceLinks forgets tokens that expired before the given time.
func (t *Tx) PruneDeviceLinks(before int64) error {
	_, err := t.exec("prune device links", qPruneDeviceLinks, before)
	return err
}
