/// Whether a new rollout may start without asking, must ask, or must stop. Pure.
///
/// `fleetctl upgrade` without a SELECTOR rolls out to every host of the inventory: a big step taken
/// by a short command line. On a terminal the operator sees the plan and answers; `--yes` answers
/// for scripts. Without a terminal there is nobody to ask, so only an explicit SELECTOR (the
/// script named its hosts) or `--yes` lets the rollout go on; otherwise it stops before any host
/// is touched, naming `--yes`.
public enum RolloutConsent: Sendable, Equatable {
    /// Go on without a question.
    case proceed
    /// Print the question and go on only on a yes.
    case ask
    /// Stop before any host is touched (exit 64).
    case refuse

    /// - Parameters:
    ///   - yes: `--yes` was given.
    ///   - terminal: standard input is a terminal (someone can answer).
    ///   - explicitSelector: the command line named the hosts (a SELECTOR), rather than taking
    ///     every host by default.
    public static func decide(yes: Bool, terminal: Bool, explicitSelector: Bool) -> RolloutConsent {
        if yes { return .proceed }
        if terminal { return .ask }
        return explicitSelector ? .proceed : .refuse
    }

    /// Whether an answer to the question is a yes: `y` or `yes`, in any case, around blanks.
    /// Anything else, an empty line (the default) and end of input included, is a no.
    public static func accepts(_ answer: String?) -> Bool {
        guard let answer else { return false }
        let word = answer.split(whereSeparator: { $0 == " " || $0 == "\t" || $0 == "\r" || $0 == "\n" })
        return word.count == 1 && ["y", "yes"].contains(word[0].lowercased())
    }
}
