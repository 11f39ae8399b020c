namespace Segmenta.Sql;

/// <summary>DDL text that every dialect writes the same way.</summary>
internal static class SqlDdl
{
    /// <summary><c>CREATE TABLE name (columns[, PRIMARY KEY (key)])</c>.</summary>
    public static string CreateTable(ISqlDialect dialect, string name, IReadOnlyList<string> columns, string? primaryKey)
    {
        var lines = columns.Select(c => "    " + c).ToList();
        if (primaryKey is not null)
        {
            lines.Add($"    PRIMARY KEY ({dialect.QuoteIdentifier(primaryKey)})");
        }

        return $"CREATE TABLE {dialect.QuoteIdentifier(name)} (\n{string.Join(",\n", lines)})";
    }

    /// <summary><c>CREATE INDEX IF NOT EXISTS table_col1_col2 ON table (col1, col2)</c>.</summary>
    public static string CreateIndex(ISqlDialect dialect, string table, IReadOnlyList<string> columns) =>
        $"CREATE INDEX IF NOT EXISTS {dialect.QuoteIdentifier(table + "_" + string.Join("_", columns))} ON {dialect.QuoteIdentifier(table)} ({string.Join(", ", columns.Select(dialect.QuoteIdentifier))})";
}
