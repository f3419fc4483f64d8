/// What the build stamped into the program: the `BuildStamp` plugin writes `stampedVersion` (from
/// `VERSION`) and `stampedCommit` (from git, or `ATELIER_BUILD_COMMIT`) before every build. Only the
/// `atelier` program imports this module, so a new commit relinks the program and recompiles
/// nothing else.
public enum Stamp {
    public static var version: String { stampedVersion }
    public static var commit: String { stampedCommit }
}
