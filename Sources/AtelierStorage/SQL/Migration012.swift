/// 012: the ring size of a catalog piece that is a ring (its inner diameter, in micrometres). The
/// demo band, loaded before the column, gets its size.
enum Migration012 {
    static let sql = """
        ALTER TABLE catalog_items ADD COLUMN ring_inner_diameter_um INTEGER;
        UPDATE catalog_items SET ring_inner_diameter_um = 18000 WHERE id = 'classic-band';
        """
}
