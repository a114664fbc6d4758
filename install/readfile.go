package install

import "github.com/azcred/azcred/store"

// readConfigFile reads a caller's config file (kubeconfig, docker config.json, pip.conf,
// cargo's config.toml): a missing file is an fs.ErrNotExist error, as with os.ReadFile. A
// symbolic link is followed (dotfile managers), but the file must be regular, is opened
// non-blocking and read up to the store's size limit, so a FIFO or /dev/zero there fails
// at once instead of hanging install or exhausting its memory.
func readConfigFile(path string) ([]byte, error) {
	return store.ReadFileLimited(path)
}
