import FleetCore
import Glibc
import Synchronization

/// The DevTools protocol over chromium's pipe: commands out, responses matched to them by id,
/// events kept in arrival order.
///
/// Two threads of its own: the reader parses every message as it arrives (so a page that
/// logs thousands of lines cannot fill the pipe and stall chromium while nobody is waiting),
/// and the writer sends commands with SIGPIPE blocked in its own signal mask, so a write to a
/// browser that just died fails with EPIPE instead of killing the test process (the pattern of
/// FleetCore's StdinWriter). Callers block on a condition variable, each with a deadline.
final class DevToolsConnection: @unchecked Sendable {  // `state` only under `lock`; the descriptors never change.
    /// Called to describe why the pipe ended (chromium's exit status and stderr tail).
    typealias EndReport = @Sendable () -> String

    private struct State {
        var nextID = 1
        var responses: [Int: JSONValue] = [:]
        /// Commands whose caller stopped waiting; their late answers are dropped.
        var abandoned: Set<Int> = []
        var events: [DevToolsEvent] = []
        var nextSequence = 0
        /// ``PageMessage`` lines per session, in arrival order.
        var pageMessages: [String: [String]] = [:]
        /// Set once the pipe has ended: nothing more will arrive.
        var ended = false
        /// The first message that was not valid JSON, for error reports.
        var unreadable: String?
        var reader: pthread_t?
        var writer: pthread_t?
    }

    /// Events kept for waits; older ones are dropped (a benchmark navigating thousands of times
    /// must not grow without bound).
    private static let eventLimit = 20_000
    /// Page messages kept per page, the most recent ones: a page logging in a loop must not
    /// exhaust the memory of a long benchmark.
    static let messageLimit = 10_000

    private let lock = ConditionLock()
    private var state = State()
    private let commandFD: Int32
    private let messageFD: Int32
    private let outgoing = BlockingQueue<[UInt8]>()
    private let stopping = Atomic<Bool>(false)
    private let endReport: EndReport

    /// Takes ownership of both descriptors (the parent's ends of chromium's fds 3 and 4).
    init(commandFD: Int32, messageFD: Int32, endReport: @escaping EndReport) {
        self.commandFD = commandFD
        self.messageFD = messageFD
        self.endReport = endReport
    }

    func start() throws(BrowserError) {
        do {
            let reader = try IOThread.start(stackSize: 1 << 20) { [self] in readLoop() }
            lock.withLock { state.reader = reader }
            let writer = try IOThread.start { [self] in writeLoop() }
            lock.withLock { state.writer = writer }
        } catch {
            throw BrowserError(
                .launchFailed, "cannot start the DevTools threads (\(error.text)); the host is out of threads or memory"
            )
        }
    }

    // MARK: Commands

    /// Sends a command and waits for its answer until `deadline`. Returns the `result` object.
    func command(
        _ method: String, _ params: JSONObject = [:], session: String? = nil, deadline: ContinuousClock.Instant
    ) throws(BrowserError) -> JSONValue {
        let id = post(method, params, session: session)
        let outcome: (response: JSONValue?, ended: Bool) = lock.withLock {
            while state.responses[id] == nil && !state.ended && ContinuousClock.now < deadline {
                lock.wait(until: deadline)
            }
            guard let response = state.responses.removeValue(forKey: id) else {
                state.abandoned.insert(id)
                return (nil, state.ended)
            }
            return (response, false)
        }
        guard let response = outcome.response else {
            if outcome.ended { throw gone(while: method) }
            throw BrowserError(
                .timedOut,
                "chromium did not answer \(method) in time\(unreadableNote()); it may be hung or the machine "
                    + "overloaded: rerun, or raise the timeout")
        }
        if let error = response["error"] {
            let message = error["message"]?.stringValue ?? "unknown error"
            let data = error["data"]?.stringValue.map { " (\($0))" } ?? ""
            throw BrowserError(.protocolError, "chromium refused \(method): \(message)\(data)")
        }
        return response["result"] ?? .object([:])
    }

    /// Sends a command without waiting for its answer (closing a tab from a deinit); returns its id.
    @discardableResult
    func post(
        _ method: String, _ params: JSONObject = [:], session: String? = nil, ignoringAnswer: Bool = false
    )
        -> Int
    {
        let id = lock.withLock {
            let id = state.nextID
            state.nextID += 1
            if ignoringAnswer { state.abandoned.insert(id) }
            return id
        }
        var message: JSONObject = ["id": .int(Int64(id)), "method": .string(method), "params": .object(params)]
        if let session { message["sessionId"] = .string(session) }
        outgoing.push(MessageFramer.frame(.object(message)))
        return id
    }

    // MARK: Events

    /// The sequence number the next event will get: pass it to ``waitForEvent(after:until:matching:)``
    /// to see only events that arrive from now on.
    var eventMark: Int { lock.withLock { state.nextSequence } }

    /// The first event at or after `mark` that `matches`, waiting until `deadline`; nil on time-out.
    func waitForEvent(
        after mark: Int, until deadline: ContinuousClock.Instant, matching matches: (DevToolsEvent) -> Bool
    ) throws(BrowserError) -> DevToolsEvent? {
        let found: (event: DevToolsEvent?, ended: Bool) = lock.withLock {
            var checked = mark
            while true {
                // Events are contiguous by sequence, so the first unchecked one is found by offset.
                let first = max(0, checked - (state.events.first?.sequence ?? state.nextSequence))
                if first < state.events.count, let event = state.events[first...].first(where: matches) {
                    return (event, false)
                }
                checked = state.nextSequence
                if state.ended { return (nil, true) }
                if ContinuousClock.now >= deadline { return (nil, false) }
                lock.wait(until: deadline)
            }
        }
        if found.ended { throw gone(while: "waiting for the page") }
        return found.event
    }

    /// The ``PageMessage`` lines of one session so far.
    func messages(session: String) -> [String] {
        lock.withLock { state.pageMessages[session] ?? [] }
    }

    var hasEnded: Bool { lock.withLock { state.ended } }

    /// The error for a command that cannot be answered because the browser is gone.
    func gone(while doing: String) -> BrowserError {
        BrowserError(.browserGone, "chromium went away while \(doing): \(endReport())")
    }

    // MARK: Shutdown

    /// Stops both threads and closes the descriptors. Call after chromium was stopped (its
    /// end of the pipe closed), else the reader needs up to 100 ms to notice.
    func shutDown() {
        stopping.store(true, ordering: .releasing)
        let threads = lock.withLock {
            defer {
                state.reader = nil
                state.writer = nil
            }
            return (state.reader, state.writer)
        }
        if let writer = threads.1 { IOThread.join(writer) }
        if let reader = threads.0 { IOThread.join(reader) }
        lock.withLock {
            state.ended = true
            lock.broadcast()
        }
        close(commandFD)
        close(messageFD)
    }

    // MARK: Threads

    private func readLoop() {
        var framer = MessageFramer()
        var chunk = [UInt8](repeating: 0, count: 1 << 20)
        let parser = JSONParser(
            limits: JSONParser.Limits(
                maxDepth: 256, maxBytes: 1 << 30, maxStringBytes: 1 << 30, maxMembers: 10_000_000),
            invalidUTF8: .replace)
        defer {
            lock.withLock {
                state.ended = true
                lock.broadcast()
            }
        }
        while true {
            var descriptor = pollfd(fd: messageFD, events: Int16(POLLIN), revents: 0)
            let ready = poll(&descriptor, 1, 100)
            if ready < 0 && errno != EINTR { return }
            if ready <= 0 {
                if stopping.load(ordering: .acquiring) { return }
                continue
            }
            let count = chunk.withUnsafeMutableBytes { read(messageFD, $0.baseAddress, $0.count) }
            if count == 0 { return }  // chromium closed its end: it exited
            if count < 0 {
                if errno == EINTR || errno == EAGAIN { continue }
                return
            }
            for message in framer.append(chunk[0..<count]) {
                do {
                    deliver(try parser.parse(message))
                } catch {
                    let text = String(decoding: message.prefix(200), as: UTF8.self)
                    lock.withLock { state.unreadable = state.unreadable ?? "\(error): \(text)" }
                }
            }
        }
    }

    private func deliver(_ message: JSONValue) {
        if let id = message["id"]?.intValue {
            lock.withLock {
                let id = Int(id)
                if state.abandoned.remove(id) == nil {
                    state.responses[id] = message
                    lock.broadcast()
                }
            }
            return
        }
        guard let method = message["method"]?.stringValue else { return }
        let params = message["params"] ?? .object([:])
        let session = message["sessionId"]?.stringValue
        let line = session != nil ? PageMessage.line(method: method, params: params) : nil
        lock.withLock {
            state.events.append(
                DevToolsEvent(sequence: state.nextSequence, method: method, sessionID: session, params: params))
            state.nextSequence += 1
            if state.events.count > Self.eventLimit { state.events.removeFirst(state.events.count / 4) }
            if let session, let line {
                state.pageMessages[session, default: []].append(line)
                if state.pageMessages[session, default: []].count > Self.messageLimit {
                    state.pageMessages[session, default: []].removeFirst(Self.messageLimit / 10)
                }
            }
            lock.broadcast()
        }
    }

    private func writeLoop() {
        var pipeSignal = sigset_t()
        sigemptyset(&pipeSignal)
        sigaddset(&pipeSignal, SIGPIPE)
        pthread_sigmask(SIG_BLOCK, &pipeSignal, nil)
        var broken = false
        while true {
            let batch = outgoing.drain(waitingAtMost: .milliseconds(100))
            for bytes in batch where !broken {
                broken = !writeAll(bytes)
            }
            if batch.isEmpty && stopping.load(ordering: .acquiring) { return }
        }
    }

    private func writeAll(_ bytes: [UInt8]) -> Bool {
        var offset = 0
        while offset < bytes.count {
            let written = bytes[offset...].withUnsafeBytes { write(commandFD, $0.baseAddress, $0.count) }
            if written < 0 {
                if errno == EINTR { continue }
                return false  // EPIPE: chromium is gone; the reader reports it
            }
            offset += written
        }
        return true
    }

    private func unreadableNote() -> String {
        lock.withLock { state.unreadable.map { " (one of its messages was unreadable: \($0))" } ?? "" }
    }
}
