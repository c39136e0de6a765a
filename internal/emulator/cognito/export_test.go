package cognito

// Revocations is how many revocations the emulator keeps, for the test that they are pruned.
func (e *Emulator) Revocations() int {
	e.mu.Lock()
	defer e.mu.Unlock()
	return len(e.st.revoked)
}

// PruneRevocations runs the pruning that compaction runs.
func (e *Emulator) PruneRevocations() {
	e.mu.Lock()
	defer e.mu.Unlock()
	e.pruneRevoked()
}
