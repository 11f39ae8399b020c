using System.Diagnostics;

namespace Segmenta.Testing;

/// <summary>Runs the built CLI as a real process, as a user or script would (test projects that reference Segmenta.Cli have it in their output).</summary>
internal static class CliRunner
{
    private static readonly string Dll = Path.Combine(AppContext.BaseDirectory, "Segmenta.Cli.dll");

    public static ProcessStartInfo StartInfo(string workingDirectory, params string[] args)
    {
        var info = new ProcessStartInfo("dotnet") { WorkingDirectory = workingDirectory, RedirectStandardOutput = true, RedirectStandardError = true };
        info.ArgumentList.Add(Dll);
        WithoutTieredPgo(info);
        foreach (var a in args)
        {
            info.ArgumentList.Add(a);
        }

        return info;
    }

    public static (int ExitCode, string Out, string Err) Run(string workingDirectory, params string[] args) => Wait(StartInfo(workingDirectory, args));

    /// <summary>
    /// Runs a shipped shell script (such as samples/mall/run.sh) as a user would, with <c>SEGMENTA</c>
    /// pointing at a wrapper of the built CLI instead of the checkout's <c>./segmenta</c>, which would publish it again.
    /// </summary>
    public static (int ExitCode, string Out, string Err) Script(string workingDirectory, string script, params string[] args)
    {
        var wrapper = Path.Combine(workingDirectory, ".segmenta-under-test");
        File.WriteAllText(wrapper, $"#!/bin/sh\nexec dotnet '{Dll}' \"$@\"\n");
        if (!OperatingSystem.IsWindows())
        {
            File.SetUnixFileMode(wrapper, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
        }

        var info = new ProcessStartInfo("bash") { WorkingDirectory = workingDirectory, RedirectStandardOutput = true, RedirectStandardError = true };
        info.ArgumentList.Add(script);
        foreach (var a in args)
        {
            info.ArgumentList.Add(a);
        }

        info.Environment["SEGMENTA"] = wrapper;
        WithoutTieredPgo(info);
        info.Environment["SEGMENTA_DATA"] = TestPaths.Data;
        return Wait(info);
    }

    /// <summary>
    /// The built CLI here is JIT-compiled (users run ./segmenta's ReadyToRun build), and in processes of seconds the
    /// runtime's profile-guided tier mostly costs compilation: without it the CLI tests used 9% less CPU (547 → 504 s of
    /// user and system time for the project alone), as much as running the ReadyToRun build saved, without its 34 s
    /// publish. Only the speed of the JIT's code changes, never what it computes.
    /// </summary>
    private static void WithoutTieredPgo(ProcessStartInfo info) => info.Environment["DOTNET_TieredPGO"] = "0";

    private static (int ExitCode, string Out, string Err) Wait(ProcessStartInfo info)
    {
        using var process = Process.Start(info)!;
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        // A guard against a hang, not a timing assertion: the default-size demo runs minutes while the other test
        // projects share the machine's two cores, and a slow machine must not fail a test.
        if (!process.WaitForExit(TimeSpan.FromMinutes(20)))
        {
            process.Kill(entireProcessTree: true);
            throw new TimeoutException(string.Join(' ', info.ArgumentList) + " did not finish");
        }

        return (process.ExitCode, stdout.Result, stderr.Result);
    }
}
