import FleetCore

extension RemoteFailureTolerance.Episode {
    /// `{started_at, attempts, reachable_since, give_up: {total_attempts, total_elapsed_s, cap_s,
    /// returncode, final_error} | null}`, times in the caller's seconds (fleetctl: Unix seconds).
    public func toJSON() -> JSONValue {
        var object: JSONObject = [
            "started_at": .double(startedAt),
            "attempts": .int(Int64(attempts)),
            "reachable_since": reachableSince.map(JSONValue.double) ?? .null,
        ]
        if let giveUp {
            object["give_up"] = [
                "total_attempts": .int(Int64(giveUp.totalAttempts)),
                "total_elapsed_s": .double(giveUp.totalElapsedS),
                "cap_s": .int(Int64(giveUp.capS)),
                "returncode": .int(Int64(giveUp.finalError.returncode)),
                "final_error": .string(giveUp.finalError.stderrTail),
            ]
        } else {
            object["give_up"] = .null
        }
        return .object(object)
    }

    /// Restores ``toJSON()`` output; nil when the document is not of that shape (the caller
    /// then starts without an open episode, which at worst repeats one give-up alert).
    public init?(json: JSONValue) {
        guard let startedAt = json["started_at"]?.doubleValue, startedAt.isFinite,
            let attempts = json["attempts"]?.intValue, attempts >= 0
        else { return nil }
        var giveUp: RemoteGiveUp?
        if let object = json["give_up"]?.objectValue {
            guard let total = object["total_attempts"]?.intValue, let elapsed = object["total_elapsed_s"]?.doubleValue,
                let cap = object["cap_s"]?.intValue, let code = object["returncode"]?.intValue,
                let error = object["final_error"]?.stringValue
            else { return nil }
            giveUp = RemoteGiveUp(
                totalAttempts: Int(total), totalElapsedS: elapsed, capS: Int(cap),
                finalError: RemoteFailure(returncode: Int(code), stderrTail: error))
        }
        self.init(
            startedAt: startedAt, attempts: Int(attempts), giveUp: giveUp,
            reachableSince: json["reachable_since"]?.doubleValue)
    }
}
