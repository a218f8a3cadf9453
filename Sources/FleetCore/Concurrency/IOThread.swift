import Glibc

/// Dedicated threads for blocking work: pipe I/O here, ssh polls in fleetctl's worker pool.
///
/// Raw pthreads rather than Dispatch: a pipe drain blocks for the whole life of a child,
/// and parking dozens of them (fleetctl polling many hosts) on Dispatch's bounded global
/// pool could starve every other user of that pool.
public enum IOThread {
    private final class Body {
        let run: @Sendable () -> Void
        init(_ run: @escaping @Sendable () -> Void) { self.run = run }
    }

    /// Starts `body` on a new thread with a `stackSize`-byte stack (512 KiB suits the pipe
    /// loops, which keep their buffers on the heap). A joinable thread must be passed to `join`.
    public static func start(
        stackSize: Int = 512 * 1024, detached: Bool = false, _ body: @escaping @Sendable () -> Void
    ) throws(Errno) -> pthread_t {
        var attributes = pthread_attr_t()
        pthread_attr_init(&attributes)
        defer { pthread_attr_destroy(&attributes) }
        _ = pthread_attr_setstacksize(&attributes, stackSize)
        if detached {
            _ = pthread_attr_setdetachstate(&attributes, Int32(PTHREAD_CREATE_DETACHED))
        }
        let box = Unmanaged.passRetained(Body(body))
        var thread = pthread_t()
        let rc = pthread_create(
            &thread, &attributes,
            { raw in
                guard let raw else { return nil }
                Unmanaged<Body>.fromOpaque(raw).takeRetainedValue().run()
                return nil
            }, box.toOpaque())
        guard rc == 0 else {
            box.release()
            throw Errno(code: rc)
        }
        return thread
    }

    public static func join(_ thread: pthread_t) {
        _ = pthread_join(thread, nil)
    }
}
