/// 014: casting rules, versioned like price lists: each version is a whole set, kept for ever (a
/// quote's casting report names the version it was checked against). Version 1 is the casting
/// houses' published figures, the same as `CastingRules.standard`. A quote's `castable` (1, 0,
/// or NULL when not checked) lets order lists mark a model that cannot be cast without reading
/// each quote's body. Only adds: the previous version runs against this schema during a rolling
/// upgrade (its quotes have no `castable`).
enum Migration014 {
    static let sql = """
        CREATE TABLE casting_rules (
            version INTEGER PRIMARY KEY,
            body TEXT NOT NULL,
            created_at INTEGER NOT NULL
        );
        INSERT INTO casting_rules (version, body, created_at) VALUES (1, '{"rules":[\
        {"detailAreaMM2":4,"materialCode":"silver-925","minimumDetailMM":0.6,"minimumWallMM":0.8,"polishingAllowanceMM":0.1},\
        {"detailAreaMM2":4,"materialCode":"gold-585","minimumDetailMM":0.6,"minimumWallMM":1,"polishingAllowanceMM":0.1},\
        {"detailAreaMM2":4,"materialCode":"gold-750","minimumDetailMM":0.6,"minimumWallMM":1,"polishingAllowanceMM":0.1},\
        {"detailAreaMM2":4,"materialCode":"platinum-950","minimumDetailMM":0.7,"minimumWallMM":1,"polishingAllowanceMM":0.15}\
        ],"version":1}', 0);
        ALTER TABLE quotes ADD COLUMN castable INTEGER;
        """
}
