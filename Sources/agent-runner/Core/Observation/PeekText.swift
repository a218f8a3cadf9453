import FleetCore

/// The human form of a peek document: a short summary an operator can read on a phone, not a
/// dump of the JSON (that is `--json`).
public enum PeekText {
    public static func render(_ document: JSONValue) -> String {
        var lines: [String] = []
        let project = document["project"]?.stringValue ?? "?"
        let generated = document["generated_at"]?.stringValue ?? ""
        let agent = document["config"]?["agent_name"]?.stringValue.map { ", agent \($0)" } ?? ""
        let version = document["agent_runner_version"]?.stringValue ?? "?"
        lines.append("\(project) — peek at \(generated) (agent-runner \(version)\(agent))")
        lines.append("")

        var rows: [(String, String)] = []
        if let service = document["service"] {
            rows.append(("service", serviceLine(service)))
            rows.append(("throttle", throttleLine(service["rate_limit"])))
        }
        rows.append(("last round", lastRoundLine(document["status"])))
        rows.append(("orphan", orphanLine(document["orphan"])))
        if let schedule = document["schedule"], schedule != .null {
            rows.append(
                ("schedule", "paused until \(text(schedule["resume_at"])) (window \(text(schedule["active_window"])))"))
        } else if let windows = document["schedule_windows"], windows != .null, windows["open"] == true {
            rows.append(("schedule", "open; the windows next change at \(text(windows["next_change_at"], empty: "-"))"))
        }
        if let line = memoryLine(document) { rows.append(("memory", line)) }
        rows.append(("system", systemLine(document["system"])))
        rows.append(("defenses", defensesLine(document["defenses"])))
        let width = (rows.map(\.0.count).max() ?? 0) + 2
        for (label, value) in rows { lines.append(label.padding(width) + value) }

        if let rounds = document["recent_rounds"]?.arrayValue, !rounds.isEmpty {
            lines.append("")
            lines.append("recent rounds (newest last):")
            let active = document["service"]?["active"]?.boolValue == true
            let shown = rounds.suffix(10)
            for (index, round) in zip(shown.indices, shown) {
                lines.append("  " + roundLine(round, mayBeRunning: active && index == shown.indices.last))
            }
        }
        appendEvents("hook failures", document["recent_hook_failures"], to: &lines)
        appendEvents("network blips", document["recent_blips"], to: &lines)
        appendEvents("cgroup growth warnings", document["recent_cgroup_growth_warnings"], to: &lines)
        if let current = document["current_round"], current != .null {
            lines.append("")
            lines.append(
                "round \(text(current["round_num"])): started \(text(current["started_at"], empty: "unknown")), phase \(text(current["phase"], empty: "-")), "
                    + "exit \(text(current["exit_code"], empty: "pending")), timed out \(text(current["timed_out"], empty: "-")), "
                    + "duration \(seconds(current["duration_so_far_s"]))\(current["pid"]?.intValue.map { ", agent pid \($0)" } ?? "")"
            )
            lines.append("log: \(text(current["log_path"]))")
            if let tail = current["log_tail"]?.stringValue {
                lines.append("--- last lines of the log ---")
                lines.append(tail)
                lines.append("---")
            }
        }
        appendEvents("recent events", document["recent_events"], to: &lines, all: true)
        return lines.joined(separator: "\n") + "\n"
    }

    /// A `--select`ed value: strings and numbers bare, containers as indented JSON.
    public static func scalar(_ value: JSONValue) -> String {
        switch value {
        case .string(let string): return string
        case .null: return "null"
        case .object, .array: return JSONWriter(style: .pretty(indent: 2)).string(value)
        default: return JSONWriter(style: .python).string(value)
        }
    }

    static func serviceLine(_ service: JSONValue) -> String {
        var parts = [text(service["mode"])]
        if let pid = service["pid"]?.intValue { parts.append("pid \(pid)") }
        if let uptime = service["uptime_s"]?.intValue { parts.append("up \(ServiceStatus.duration(uptime))") }
        var line =
            (service["active"]?.boolValue == true ? "running" : "not running") + " (" + parts.joined(separator: ", ")
            + ")"
        if service["system_managed"]?.boolValue == true { line += "; managed by a system unit" }
        return line
    }

    static func throttleLine(_ rateLimit: JSONValue?) -> String {
        guard let rateLimit, rateLimit != .null else { return "none" }
        let until =
            rateLimit["throttled_until_epoch"]?.intValue.map { EventTimestamp.format(UTCInstant(seconds: $0)) } ?? "?"
        var line = "\(text(rateLimit["agent"])) throttled until \(until) (\(text(rateLimit["limit_type"]))"
        if let round = rateLimit["since_round"]?.intValue { line += ", since round \(round)" }
        return line + ")"
    }

    static func lastRoundLine(_ status: JSONValue?) -> String {
        guard let status, let round = status["round_num"]?.intValue else { return "none yet" }
        var line =
            "\(round): exit \(text(status["last_exit_code"], empty: "?")) after \(seconds(status["last_duration_s"]))"
        if let phase = status["current_phase"]?.stringValue { line += ", phase \(phase)" }
        if let at = status["last_completed_at"]?.stringValue { line += ", completed \(at)" }
        return line
    }

    static func orphanLine(_ orphan: JSONValue?) -> String {
        guard let orphan, orphan != .null else { return "none" }
        let files = HumanText.count(orphan["files"]?.arrayValue?.count ?? 0, "file")
        return
            "round \(text(orphan["round_num"])) left \(files) in stash \(text(orphan["stashed_ref"])) — recover with git stash show -p <sha>"
    }

    static func systemLine(_ system: JSONValue?) -> String {
        guard let system, let ts = system["ts"]?.stringValue else {
            return "no metrics yet (written at each round boundary)"
        }
        func rounded(_ key: String, places: Double) -> String {
            system[key]?.doubleValue.map { HumanText.number(($0 * places).rounded() / places) } ?? "?"
        }
        var parts = [
            "disk \(HumanText.percent(system["disk_used_pct"]?.doubleValue)) used, "
                + "\(rounded("disk_free_gb", places: 10)) GB free",
            "mem \(rounded("mem_available_mb", places: 1)) of \(rounded("mem_total_mb", places: 1)) MB available",
        ]
        if system["load_1m"]?.doubleValue != nil { parts.append("load \(rounded("load_1m", places: 100))") }
        if let cpu = system["cpu_pct"]?.doubleValue { parts.append("cpu \(HumanText.percent(cpu))") }
        parts.append("agent processes \(text(system["agent_process_count"]))")
        return parts.joined(separator: " · ") + " (at \(ts))"
    }

    /// A deferred round, the last round lost to memory, and the brake when it is configured;
    /// nil when there is nothing to say.
    static func memoryLine(_ document: JSONValue) -> String? {
        var parts: [String] = []
        if let deferred = document["memory"]?["deferred"], deferred != .null {
            parts.append("round deferred since \(text(deferred["since"])): \(text(deferred["message"]))")
        }
        if let loss = document["memory"]?["recent_losses"]?.arrayValue?.last {
            let round = loss["round_num"].map { " round \(text($0))" } ?? ""
            parts.append("last loss \(text(loss["event"]))\(round) at \(text(loss["ts"]))")
        }
        if let brake = document["brake"]?.stringValue, brake != "off" { parts.append("brake \(brake)") }
        return parts.isEmpty ? nil : parts.joined(separator: "; ")
    }

    static func defensesLine(_ defenses: JSONValue?) -> String {
        let entries = defenses?.arrayValue ?? []
        let active = entries.filter { $0["current_state"]?.stringValue == "active" }.count
        let others = entries.filter { $0["current_state"]?.stringValue != "active" }
            .map { "\(text($0["name"])) (\(text($0["current_state"])))" }
        return "\(active) active" + (others.isEmpty ? "" : "; " + others.joined(separator: ", "))
    }

    /// One recent round. A round with no `round_end` is `running` only when it is the newest and
    /// serve is up (`mayBeRunning`); otherwise its serve stopped in the middle of it.
    static func roundLine(_ round: JSONValue, mayBeRunning: Bool) -> String {
        var line = "round \(text(round["round_num"]))"
        if let phase = round["phase"]?.stringValue { line += " [\(phase)]" }
        if let exit = round["exit_code"]?.intValue {
            line += ": exit \(exit) (\(text(round["exit_cause"], empty: "?"))) after \(seconds(round["duration_s"]))"
        } else {
            if round["ended_at"]?.stringValue != nil {
                line += ": no exit recorded"
            } else {
                line +=
                    mayBeRunning
                    ? ": running" : ": never ended (serve stopped mid-round: killed, crashed or the host went down)"
            }
        }
        if round["auth_failure"]?.boolValue == true { line += ", auth failure" }
        if round["network_failure"]?.boolValue == true { line += ", network failure" }
        if let started = round["started_at"]?.stringValue { line += ", started \(started)" }
        return line
    }

    static func appendEvents(_ title: String, _ events: JSONValue?, to lines: inout [String], all: Bool = false) {
        guard let events = events?.arrayValue, !events.isEmpty else { return }
        lines.append("")
        lines.append("\(title) (\(events.count)):")
        for event in all ? events : Array(events.suffix(5)) {
            guard let object = event.objectValue else { continue }
            lines.append("  " + Narration.line(object, roundKey: "round_num"))
        }
    }

    static func seconds(_ value: JSONValue?) -> String {
        guard let value = value?.doubleValue else { return "?" }
        return HumanText.duration(seconds: value)
    }

    static func text(_ value: JSONValue?, empty: String = "?") -> String {
        switch value {
        case .none, .some(.null): return empty
        case .some(.string(let string)): return string.isEmpty ? empty : string
        case .some(.bool(let bool)): return bool ? "yes" : "no"
        case .some(let other): return JSONWriter(style: .python).string(other)
        }
    }
}

extension String {
    func padding(_ width: Int) -> String {
        count >= width ? self + " " : self + String(repeating: " ", count: width - count)
    }
}
