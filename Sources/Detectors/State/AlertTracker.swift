import FleetCore

/// One host's firing alerts across polls: turns each poll's alert list into notifications.
///
/// Identity is ``Alert/key``. After a measured poll, a key that was not firing yields
/// ``AlertTransition/fired(_:)``; a firing key missing from the poll yields
/// ``AlertTransition/resolved(_:)`` and is forgotten (re-arm: a recurrence is a new episode); a
/// key still present yields nothing, so hooks are not re-run every poll, though the stored alert
/// is refreshed to the newest message and context. An unreachable poll keeps everything firing:
/// not being able to look is not evidence that the problem went away.
///
/// The state round-trips through ``toJSON()`` and ``init(json:capacity:)`` so fleetctl can
/// persist it atomically after each poll and, after being killed and restarted, not re-notify
/// alerts that were already firing. At most ``capacity`` keys are tracked; alerts beyond that in
/// one poll are neither tracked nor notified (a host cannot fill the state with junk keys).
public struct AlertTracker: Sendable, Equatable {
    /// The original's seen-set bound.
    public static let defaultCapacity = 512
    /// The persisted format's version.
    public static let formatVersion: Int64 = 1

    /// A firing alert and when its episode began.
    public struct FiringAlert: Sendable, Equatable {
        /// The alert as last seen.
        public var alert: Alert
        /// The poll time at which this episode fired.
        public var since: UTCInstant
    }

    /// What one poll of the host found.
    public enum Poll: Sendable, Equatable {
        /// The host was measured; these are all of its alerts now.
        case measured([Alert])
        /// The host could not be measured; alerts already firing stay firing. `extra` alerts
        /// (such as `monitor_remote_giveup`) are added and fire if new.
        case unreachable(extra: [Alert])
    }

    /// Most keys tracked.
    public let capacity: Int
    /// Firing alerts, oldest episode first.
    public private(set) var firing: [FiringAlert] = []

    /// An empty tracker (nothing firing) holding at most `capacity` keys (at least 1).
    public init(capacity: Int = AlertTracker.defaultCapacity) {
        self.capacity = max(capacity, 1)
    }

    /// Applies one poll; returns resolutions (oldest episode first), then new firings (in poll order).
    public mutating func record(_ poll: Poll, at now: UTCInstant) -> [AlertTransition] {
        var transitions: [AlertTransition] = []
        let incoming: [Alert]
        switch poll {
        case .measured(let alerts):
            incoming = alerts
            let present = Set(alerts.lazy.map(\.key))
            firing.removeAll { entry in
                if present.contains(entry.key) { return false }
                transitions.append(.resolved(entry.alert))
                return true
            }
        case .unreachable(let extra):
            incoming = extra
        }
        var position = [String: Int](minimumCapacity: firing.count)
        for (index, entry) in firing.enumerated() { position[entry.key] = index }
        var seenThisPoll = Set<String>()
        for alert in incoming where seenThisPoll.insert(alert.key).inserted {
            if let index = position[alert.key] {
                firing[index].alert = alert
            } else if firing.count < capacity {
                position[alert.key] = firing.count
                firing.append(FiringAlert(alert: alert, since: now))
                transitions.append(.fired(alert))
            }
        }
        return transitions
    }

    /// Forgets `key` so that its alert fires again at the next poll that has it: for a stop that
    /// is still draining (the service acknowledged but is finishing its round), where the
    /// original re-yields and re-acts on the alert at the next poll. Returns whether it was firing.
    @discardableResult
    public mutating func rearm(_ key: String) -> Bool {
        guard let index = firing.firstIndex(where: { $0.key == key }) else { return false }
        firing.remove(at: index)
        return true
    }

    /// Whether `key` is firing.
    public func isFiring(_ key: String) -> Bool {
        firing.contains { $0.key == key }
    }

    // MARK: Persistence

    /// `{"version": 1, "firing": [{key, detector, severity, message, context, requests_stop, since}]}`.
    public func toJSON() -> JSONValue {
        let entries: [JSONValue] = firing.map { entry in
            [
                "key": .string(entry.alert.key),
                "detector": .string(entry.alert.detector),
                "severity": .string(entry.alert.severity.rawValue),
                "message": .string(entry.alert.message),
                "context": .object(entry.alert.context),
                "requests_stop": .bool(entry.alert.requestsStop),
                "since": .string(EventTimestamp.format(entry.since)),
            ]
        }
        return ["version": .int(Self.formatVersion), "firing": .array(entries)]
    }

    /// Restores state written by ``toJSON()``. A document of another shape or version throws,
    /// naming the offending entry, so fleetctl can tell the operator and start afresh.
    public init(json: JSONValue, capacity: Int = AlertTracker.defaultCapacity) throws(AlertStateError) {
        self.init(capacity: capacity)
        guard case .object(let document) = json else { throw AlertStateError("not a JSON object") }
        guard document["version"]?.intValue == Self.formatVersion else {
            throw AlertStateError(
                "unsupported version \(document["version"].map { JSONWriter().string($0) } ?? "(missing)"), expected \(Self.formatVersion)"
            )
        }
        guard let entries = document["firing"]?.arrayValue else { throw AlertStateError("'firing' must be an array") }
        var keys = Set<String>()
        for (index, entry) in entries.enumerated() {
            guard let key = entry["key"]?.stringValue, let detector = entry["detector"]?.stringValue,
                let severity = entry["severity"]?.stringValue.flatMap(AlertSeverity.init(rawValue:)),
                let message = entry["message"]?.stringValue, let context = entry["context"]?.objectValue,
                let requestsStop = entry["requests_stop"]?.boolValue,
                let since = entry["since"]?.stringValue.flatMap(EventTimestamp.parse)
            else {
                throw AlertStateError(
                    "firing[\(index)] is malformed (needs key, detector, severity, message, context, requests_stop, since)"
                )
            }
            guard keys.insert(key).inserted else { throw AlertStateError("firing[\(index)] repeats key '\(key)'") }
            guard firing.count < self.capacity else { break }
            let alert = Alert(
                detector: detector, severity: severity, message: message, context: context, key: key,
                requestsStop: requestsStop)
            firing.append(FiringAlert(alert: alert, since: since))
        }
    }
}

extension AlertTracker.FiringAlert {
    /// The alert's identity key.
    public var key: String { alert.key }
}
