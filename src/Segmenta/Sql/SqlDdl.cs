namespace Segmenta.Sql;

/// <summary>DDL text that every dialect writes the same way.</summary>
public static class SqlDdl
{
    /// <summary>
    /// A quoted string literal, for the few statements that take no parameters (a COPY's file path, a
    /// foreign server's options). Everything else passes values as parameters.
    /// </summary>
    public static string StringLiteral(string value)
    {
        ArgumentNullException.ThrowIfNull(value);
        return "'" + value.Replace("'", "''", StringComparison.Ordinal) + "'";
    }

    /// <summary><c>CREATE TABLE name (columns[, PRIMARY KEY (key)])</c>.</summary>
    public static string CreateTable(ISqlDialect dialect, string name, IReadOnlyList<string> columns, string? primaryKey)
    {
        ArgumentNullException.ThrowIfNull(dialect);
        ArgumentNullException.ThrowIfNull(columns);
        var lines = columns.Select(c => "    " + c).ToList();
        if (primaryKey is not null)
        {
            lines.Add($"    PRIMARY KEY ({dialect.QuoteIdentifier(primaryKey)})");
        }

        return $"CREATE TABLE {dialect.QuoteIdentifier(name)} (\n{string.Join(",\n", lines)})";
    }

    /// <summary><c>CREATE INDEX IF NOT EXISTS table_col1_col2 ON table (col1, col2)</c>.</summary>
    public static string CreateIndex(ISqlDialect dialect, string table, IReadOnlyList<string> columns)
    {
        ArgumentNullException.ThrowIfNull(dialect);
        ArgumentNullException.ThrowIfNull(columns);
        return $"CREATE INDEX IF NOT EXISTS {dialect.QuoteIdentifier(table + "_" + string.Join("_", columns))} ON {dialect.QuoteIdentifier(table)} ({string.Join(", ", columns.Select(dialect.QuoteIdentifier))})";
    }
}
