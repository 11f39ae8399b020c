using Segmenta.Files;
using Segmenta.Warehouse;
using Segmenta.Workspaces;

namespace Segmenta.Postgres;

/// <summary>A PostgreSQL server, sharded or not (<c>warehouse.backend: postgres</c>); Parquet exports are written with <paramref name="parquet"/>.</summary>
public sealed class PostgresBackend(IParquetFiles? parquet) : IWarehouseBackend
{
    /// <inheritdoc />
    public string Name => "postgres";

    /// <inheritdoc />
    public IWarehouse Open(Workspace workspace, bool create)
    {
        ArgumentNullException.ThrowIfNull(workspace);
        var settings = workspace.Settings.Warehouse;
        return PostgresWarehouse.Open(settings.ConnectionString!, settings.ShardList, create, parquet: parquet);
    }

    /// <inheritdoc />
    public bool IsDriverException(Exception exception) => exception is Npgsql.NpgsqlException;
}
