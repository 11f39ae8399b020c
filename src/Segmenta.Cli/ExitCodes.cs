namespace Segmenta.Cli;

/// <summary>The documented exit codes of every verb (docs/cli.md).</summary>
internal static class ExitCodes
{
    /// <summary>Done.</summary>
    public const int Ok = 0;

    /// <summary>The command ran and found problems to report (segment check diagnostics), or a model fit failed (clv).</summary>
    public const int Findings = 1;

    /// <summary>Bad input: a missing file, a wrong mapping or settings file, an unknown column, bad arguments. Nothing was written.</summary>
    public const int BadInput = 2;

    /// <summary>The warehouse could not be opened or used.</summary>
    public const int WarehouseError = 3;

    /// <summary>A refresh step failed: the failed step and why are printed, the run is recorded as failed, and the previous snapshot stays current.</summary>
    public const int RefreshFailed = 4;

    /// <summary>Interrupted (Ctrl+C); nothing of the interrupted step was written.</summary>
    public const int Interrupted = 130;

    /// <summary>The one exit code of each kind of failure the core reports.</summary>
    public static int For(FailureKind kind) => kind switch
    {
        FailureKind.CannotFit => Findings,
        FailureKind.WarehouseUnavailable => WarehouseError,
        FailureKind.StepFailed => RefreshFailed,
        _ => BadInput,
    };
}
