package evidence

// later is a value a later stage needs, worked out in the background
// from an earlier stage on (startLater): most often a git process the
// stage need not wait for.
type later[T any] struct {
	done chan struct{}
	v    T
}

// startLater works f out in the background; finish waits for it, like
// the run's other warm-ups.
func startLater[T any](r *runState, f func() T) *later[T] {
	l := &later[T]{done: make(chan struct{})}
	r.warmUps.Go(func() {
		defer close(l.done)
		l.v = f()
	})
	return l
}

// get waits for the value; one never asked for (nil) is T's zero value.
func (l *later[T]) get() T {
	if l == nil {
		var zero T
		return zero
	}
	<-l.done
	return l.v
}
