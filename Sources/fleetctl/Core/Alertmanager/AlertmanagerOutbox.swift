import FleetCore

/// What an Alertmanager hook must post, as a pure value: the alert of each notification at
/// once, and every alert still firing again each `resendS`.
///
/// Alertmanager forgets a firing alert without `endsAt` after its `resolve_timeout` (5 min by
/// default) and shows it resolved; our own repeats come only every `alert_repeat_s` (1 h by
/// default). Re-posting what fires, as Prometheus does, keeps the two in agreement.
public struct AlertmanagerOutbox: Sendable {
    public let resendS: Double
    /// Firing alerts by identity (their label set).
    public private(set) var firing: [String: AlertmanagerAlert] = [:]
    private var order: [String] = []
    private var lastResend: Double?

    public init(resendS: Double = 60) {
        self.resendS = resendS
    }

    /// Records `alert` (firing or resolved) and returns it to post now.
    public mutating func apply(_ alert: AlertmanagerAlert) -> AlertmanagerAlert {
        let id = alert.identity
        if alert.endsAt == nil {
            if firing.updateValue(alert, forKey: id) == nil { order.append(id) }
        } else if firing.removeValue(forKey: id) != nil {
            order.removeAll { $0 == id }
        }
        return alert
    }

    /// The firing alerts to re-post at `now` (Unix seconds), oldest first, and marks them sent;
    /// empty until `resendS` has passed since the last resend (the first call starts the clock).
    public mutating func resendDue(now: Double) -> [AlertmanagerAlert] {
        guard let last = lastResend else {
            lastResend = now
            return []
        }
        guard now - last >= resendS else { return [] }
        lastResend = now
        return order.compactMap { firing[$0] }
    }

    /// Seconds from `now` until the next resend is due.
    public func secondsUntilResend(now: Double) -> Double {
        guard let last = lastResend else { return resendS }
        return max(0, last + resendS - now)
    }
}

/// Delays between attempts of one Alertmanager post: `initialS`, doubling, capped at `maxS`,
/// `attempts - 1` of them. Bounded so a down Alertmanager costs a few seconds per batch, never
/// an unbounded backlog; what is still firing is posted again at the next resend anyway.
public struct AlertmanagerRetry: Sendable, Equatable {
    public var attempts: Int
    public var initialS: Double
    public var maxS: Double

    public init(attempts: Int = 4, initialS: Double = 1, maxS: Double = 8) {
        self.attempts = max(1, attempts)
        self.initialS = initialS
        self.maxS = maxS
    }

    public var delaysS: [Double] {
        (0..<(attempts - 1)).map { min(maxS, initialS * Double(1 << min($0, 30))) }
    }

    /// Whether a post that got `status` is worth trying again: 5xx and 429 are, other 4xx
    /// (a payload Alertmanager refuses) will be refused again.
    public static func isRetryable(status: Int) -> Bool {
        status >= 500 || status == 429 || status == 408
    }
}
