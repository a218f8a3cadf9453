import FleetCore

extension HostObservation {
    /// Builds an observation from a host's `agent-runner peek --json` document.
    ///
    /// Two producers are understood, field by field, so a fleet can mix them during an upgrade:
    ///
    /// **The original Python 0.3.14** (`schema_version: "2.6"`, peek-schema.md): events only in
    /// `recent_events` when peek ran with `--events N`; `recent_rounds` is always `[]` (rounds are
    /// then derived from the events); `system` is the last metrics line without `ts`, PSI or swap
    /// (all zeros before any metrics exist, which reads as "no sample"); the round timeout comes
    /// from the `defenses` entry named `round_budget_s`; `service.rate_limit` is the host's throttle.
    ///
    /// **Our agent-runner** adds, and this is the contract its peek is built to:
    /// ```
    /// generated_at          str    host clock when the document was made, "2026-11-25T13:38:29.971Z"
    /// agent_runner_version  str
    /// recent_events         [obj]  raw event objects, oldest first (with --events N)
    /// recent_rounds         [obj]  the newest rounds (at least the last 10 with an exit), oldest first:
    ///   { round_num: int, phase: str|null, started_at: str|null, ended_at: str|null,
    ///     exit_code: int|null, duration_s: float|null, timed_out: bool|null, exit_cause: str|null,
    ///     auth_failure: bool,     // transcript matched auth_fail_patterns, or agent-reported 401
    ///     network_failure: bool } // transcript matched the network patterns
    ///   ended_at null = no round_end yet; exit_code null = the agent has not exited yet.
    /// config                obj    { round_timeout_s: int, phase_round_timeouts: {name: int},
    ///                                supervisor_stale_threshold_s: int|null (null = derived, 0 = off),
    ///                                auth_fail_hint: str }
    /// system                obj    the latest sample: { ts: str, disk_used_pct: float,
    ///                                inode_used_pct: float|null, mem_available_mb: int, mem_free_mb: int,
    ///                                psi_some_avg10: float|null, psi_full_avg10: float|null (null = no PSI),
    ///                                swap_sout: int (cumulative bytes swapped out), … }
    /// system_history        [obj]  earlier samples of the same shape, oldest first, covering at least
    ///                                the disk-growth window (1800 s) before `system.ts`; at most 63.
    ///                                Its last element is the "previous" sample of the memory ladder.
    /// ```
    /// Anything missing, of the wrong type, non-finite or out of range reads as absent data, so a
    /// detector goes quiet instead of failing; a document that is not an object gives an
    /// observation with no data at `pollerNow`. (The byte-level hostility, such as deep nesting or
    /// oversized input, is rejected earlier by `JSONParser`'s limits.)
    public init(peek: JSONValue, pollerNow: UTCInstant) {
        guard case .object(let document) = peek else {
            self.init(now: pollerNow)
            return
        }
        var now = pollerNow
        var clock = ClockSource.poller
        if let generated = HostValue.string(document["generated_at"]).flatMap(EventTimestamp.parse) {
            now = generated
            clock = .host
        }

        var events: [Event] = []
        if let items = document["recent_events"]?.arrayValue {
            events.reserveCapacity(min(items.count, Self.maxEvents))
            for item in items.suffix(Self.maxEvents) {
                guard case .object(let payload) = item,
                    case .string(let ts)? = payload["ts"],
                    case .string(let kind)? = payload["event"]
                else { continue }
                // The payload keeps its `ts` and `event` keys (detectors read payload fields by
                // name; removing two keys re-indexes the whole object, which cost more than the
                // detectors themselves at 10,000 hosts). No raw line either, for the same reason.
                events.append(Event(ts: ts, kind: kind, payload: payload, raw: ""))
            }
        }

        var rounds: [RoundSummary]?
        if let items = document["recent_rounds"]?.arrayValue, !items.isEmpty {
            let shipped = items.suffix(Self.maxRounds).compactMap { $0.objectValue.flatMap(RoundSummary.init(json:)) }
            if !shipped.isEmpty { rounds = shipped }
        }

        var samples: [SystemSample] = []
        if let history = document["system_history"]?.arrayValue {
            for item in history.suffix(Self.maxSystemSamples - 1) {
                if let object = item.objectValue { samples.append(SystemSample(json: object)) }
            }
        }
        if let latest = document["system"]?.objectValue, !Self.isEmptyLegacySystem(latest) {
            samples.append(SystemSample(json: latest))
        }

        var throttle: ReportedThrottle?
        if let limit = document["service"]?["rate_limit"]?.objectValue,
            let until = HostValue.int(limit["throttled_until_epoch"], in: 0...Int64(Int32.max) * 4)
        {
            throttle = ReportedThrottle(
                agent: HostText.clip(HostValue.string(limit["agent"]) ?? "unknown"),
                classification: HostText.clip(HostValue.string(limit["limit_type"]) ?? "unknown"),
                untilEpoch: Int64(until)
            )
        }

        self.init(
            now: now, clock: clock, project: HostValue.string(document["project"]).map(HostText.clip), events: events,
            rounds: rounds, system: samples, config: Self.configFacts(document), reportedThrottle: throttle,
            producer: Self.producer(document)
        )
    }

    /// Ours names its version; the original 0.3.x names only its schema ("2.6" for 0.3.14).
    public static func producer(_ document: JSONObject) -> PeekProducer {
        if let version = HostValue.string(document["agent_runner_version"]) {
            return .ours(version: HostText.clip(version))
        }
        if let schema = HostValue.string(document["schema_version"]), schema.hasPrefix("2.") {
            return .original(schema: HostText.clip(schema))
        }
        return .unknown
    }

    /// 0.3.14 writes `system` with all values 0 before any metrics line exists: that is no sample.
    private static func isEmptyLegacySystem(_ system: JSONObject) -> Bool {
        system["ts"] == nil && system["mem_total_mb"]?.doubleValue == 0
            && (system["disk_used_pct"]?.doubleValue ?? 0) == 0
    }

    /// Config facts from our `config` block, else what a 0.3.14 document reveals in `defenses`.
    private static func configFacts(_ document: JSONObject) -> HostConfigFacts {
        let timeoutRange: ClosedRange<Int64> = 1...Int64(HostValue.maxSeconds)
        var facts = HostConfigFacts()
        if let config = document["config"]?.objectValue {
            facts.roundTimeoutS = HostValue.int(config["round_timeout_s"], in: timeoutRange)
            if let phases = config["phase_round_timeouts"]?.objectValue {
                for (name, value) in phases.prefix(256) {
                    if let timeout = HostValue.int(value, in: timeoutRange) {
                        facts.phaseRoundTimeoutsS[name] = timeout
                    }
                }
            }
            facts.supervisorStaleThresholdS = HostValue.int(
                config["supervisor_stale_threshold_s"], in: 0...Int64(HostValue.maxSeconds))
            facts.authFailHint = HostValue.string(config["auth_fail_hint"]).map(HostText.clip)
        }
        if facts.roundTimeoutS == nil, let defenses = document["defenses"]?.arrayValue {
            let budget = defenses.first { $0["name"]?.stringValue == "round_budget_s" }
            facts.roundTimeoutS = HostValue.int(budget?["value"], in: timeoutRange)
        }
        return facts
    }
}
