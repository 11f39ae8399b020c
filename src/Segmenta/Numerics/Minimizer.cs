namespace Segmenta.Numerics;

/// <summary>Where a minimization ended.</summary>
/// <param name="Point">The best point found.</param>
/// <param name="Value">The function there.</param>
/// <param name="Gradient">The gradient there (closed form or central differences).</param>
/// <param name="Iterations">Nelder-Mead plus BFGS iterations.</param>
/// <param name="Evaluations">Function evaluations (a call of a closed-form gradient counts as one).</param>
/// <param name="Converged">Whether the gradient fell below the tolerance.</param>
internal sealed record MinimizerResult(double[] Point, double Value, double[] Gradient, int Iterations, int Evaluations, bool Converged);

/// <summary>
/// Unconstrained minimization of a smooth function of a few variables: Nelder-Mead gets close from a
/// poor start without derivatives, then BFGS with the function's own gradient or central differences and a backtracking line
/// search converges to the gradient tolerance. Deterministic: no random restarts.
/// </summary>
internal static class Minimizer
{
    /// <summary>
    /// Minimizes <paramref name="f"/> from <paramref name="start"/>; <paramref name="gradientTolerance"/> bounds the
    /// largest gradient component at the end. Without <paramref name="nelderMead"/> it goes straight to BFGS,
    /// for a start already close.
    /// </summary>
    /// <param name="f">The function.</param>
    /// <param name="start">Where to start.</param>
    /// <param name="gradientTolerance">The largest gradient component allowed at the end.</param>
    /// <param name="nelderMead">Whether to start with Nelder-Mead.</param>
    /// <param name="gradient">
    /// <paramref name="f"/>'s gradient in closed form, if it has one: BFGS then needs one call where central differences
    /// need 2n evaluations. Where it returns null or a non-finite component, central differences stand in.
    /// Each call counts as one evaluation.
    /// </param>
    public static MinimizerResult Minimize(Func<double[], double> f, double[] start, double gradientTolerance = 1e-5, bool nelderMead = true, Func<double[], double[]?>? gradient = null)
    {
        ArgumentNullException.ThrowIfNull(f);
        ArgumentNullException.ThrowIfNull(start);
        var evaluations = 0;
        double F(double[] x)
        {
            evaluations++;
            var v = f(x);
            return double.IsNaN(v) ? double.PositiveInfinity : v;
        }

        double[] G(double[] x)
        {
            if (gradient?.Invoke(x) is { } g && g.Length == x.Length && g.All(double.IsFinite))
            {
                evaluations++;
                return g;
            }

            return Gradient(F, x);
        }

        var (point, iterations) = nelderMead ? NelderMead(F, start, 4000) : (start, 0);
        var (best, value, gradientThere, bfgsIterations, converged) = Bfgs(F, G, point, gradientTolerance, 500);
        return new MinimizerResult(best, value, gradientThere, iterations + bfgsIterations, evaluations, converged);
    }

    private static (double[] Point, int Iterations) NelderMead(Func<double[], double> f, double[] start, int maxIterations)
    {
        var n = start.Length;
        var simplex = new double[n + 1][];
        var values = new double[n + 1];
        simplex[0] = (double[])start.Clone();
        for (var i = 0; i < n; i++)
        {
            var vertex = (double[])start.Clone();
            vertex[i] += 0.5;
            simplex[i + 1] = vertex;
        }

        for (var i = 0; i <= n; i++)
        {
            values[i] = f(simplex[i]);
        }

        var iteration = 0;
        for (; iteration < maxIterations; iteration++)
        {
            var order = Enumerable.Range(0, n + 1).OrderBy(i => values[i]).ThenBy(i => i).ToArray();
            simplex = order.Select(i => simplex[i]).ToArray();
            values = order.Select(i => values[i]).ToArray();
            var size = 0.0;
            for (var i = 1; i <= n; i++)
            {
                for (var j = 0; j < n; j++)
                {
                    size = Math.Max(size, Math.Abs(simplex[i][j] - simplex[0][j]));
                }
            }

            if (size < 1e-8 || Math.Abs(values[n] - values[0]) <= 1e-12 * (Math.Abs(values[0]) + 1e-12))
            {
                break;
            }

            var centroid = new double[n];
            for (var i = 0; i < n; i++)
            {
                for (var j = 0; j < n; j++)
                {
                    centroid[j] += simplex[i][j] / n;
                }
            }

            double[] Along(double t) => centroid.Select((c, j) => c + (t * (simplex[n][j] - c))).ToArray();
            var reflected = Along(-1);
            var fr = f(reflected);
            if (fr < values[0])
            {
                var expanded = Along(-2);
                var fe = f(expanded);
                (simplex[n], values[n]) = fe < fr ? (expanded, fe) : (reflected, fr);
            }
            else if (fr < values[n - 1])
            {
                (simplex[n], values[n]) = (reflected, fr);
            }
            else
            {
                var contracted = fr < values[n] ? Along(-0.5) : Along(0.5);
                var fc = f(contracted);
                if (fc < Math.Min(fr, values[n]))
                {
                    (simplex[n], values[n]) = (contracted, fc);
                }
                else
                {
                    for (var i = 1; i <= n; i++)
                    {
                        simplex[i] = simplex[i].Select((x, j) => simplex[0][j] + (0.5 * (x - simplex[0][j]))).ToArray();
                        values[i] = f(simplex[i]);
                    }
                }
            }
        }

        var bestIndex = Array.IndexOf(values, values.Min());
        return (simplex[bestIndex], iteration);
    }

    private static (double[] Point, double Value, double[] Gradient, int Iterations, bool Converged) Bfgs(Func<double[], double> f, Func<double[], double[]> gradient, double[] start, double tolerance, int maxIterations)
    {
        var n = start.Length;
        var x = (double[])start.Clone();
        var fx = f(x);
        var g = gradient(x);
        var h = Identity(n);
        var resets = 0;
        for (var iteration = 0; iteration < maxIterations; iteration++)
        {
            if (g.Max(Math.Abs) <= tolerance)
            {
                return (x, fx, g, iteration, true);
            }

            var direction = new double[n];
            for (var i = 0; i < n; i++)
            {
                for (var j = 0; j < n; j++)
                {
                    direction[i] -= h[i, j] * g[j];
                }
            }

            var slope = Dot(direction, g);
            if (slope >= 0)
            {
                // Not a descent direction: the curvature estimate went bad; start it over.
                h = Identity(n);
                direction = g.Select(v => -v).ToArray();
                slope = Dot(direction, g);
            }

            // No coordinate moves more than 1 per step: far from the optimum the raw quasi-Newton step (the
            // gradient itself, at first) can be huge and land where the function is only rounding noise.
            var longest = direction.Max(Math.Abs);
            var step = longest > 1 ? 1 / longest : 1.0;
            double[] next;
            double fnext;
            while (true)
            {
                next = x.Select((v, i) => v + (step * direction[i])).ToArray();
                fnext = f(next);
                if (fnext <= fx + (1e-4 * step * slope) || step < 1e-12)
                {
                    break;
                }

                step *= 0.5;
            }

            if (!(fnext < fx))
            {
                if (++resets > 2)
                {
                    return (x, fx, g, iteration, g.Max(Math.Abs) <= tolerance);
                }

                h = Identity(n);
                continue;
            }

            var gnext = gradient(next);
            var s = next.Select((v, i) => v - x[i]).ToArray();
            var y = gnext.Select((v, i) => v - g[i]).ToArray();
            var sy = Dot(s, y);
            if (sy > 1e-12)
            {
                // BFGS update of the inverse Hessian: H ← (I − ρsyᵀ) H (I − ρysᵀ) + ρssᵀ.
                var rho = 1 / sy;
                var hy = new double[n];
                for (var i = 0; i < n; i++)
                {
                    for (var j = 0; j < n; j++)
                    {
                        hy[i] += h[i, j] * y[j];
                    }
                }

                var yhy = Dot(y, hy);
                for (var i = 0; i < n; i++)
                {
                    for (var j = 0; j < n; j++)
                    {
                        h[i, j] += (((1 + (rho * yhy)) * rho * s[i] * s[j]) - (rho * ((hy[i] * s[j]) + (s[i] * hy[j]))));
                    }
                }
            }

            (x, fx, g) = (next, fnext, gnext);
        }

        return (x, fx, g, maxIterations, g.Max(Math.Abs) <= tolerance);
    }

    /// <summary>Central differences with a step relative to each coordinate.</summary>
    public static double[] Gradient(Func<double[], double> f, double[] x)
    {
        var g = new double[x.Length];
        for (var i = 0; i < x.Length; i++)
        {
            var step = 1e-5 * Math.Max(1, Math.Abs(x[i]));
            var up = (double[])x.Clone();
            var down = (double[])x.Clone();
            up[i] += step;
            down[i] -= step;
            g[i] = (f(up) - f(down)) / (2 * step);
        }

        return g;
    }

    /// <summary>The Hessian by central differences, with steps of 10⁻⁴ relative to each coordinate.</summary>
    public static double[,] Hessian(Func<double[], double> f, double[] x)
    {
        var n = x.Length;
        var steps = x.Select(v => 1e-4 * Math.Max(Math.Abs(v), 1e-8)).ToArray();
        var hessian = new double[n, n];
        double At(int i, double di, int j, double dj)
        {
            var p = (double[])x.Clone();
            p[i] += di;
            p[j] += dj;
            return f(p);
        }

        var center = f(x);
        for (var i = 0; i < n; i++)
        {
            hessian[i, i] = (At(i, steps[i], i, 0) - (2 * center) + At(i, -steps[i], i, 0)) / (steps[i] * steps[i]);
            for (var j = i + 1; j < n; j++)
            {
                var value = (At(i, steps[i], j, steps[j]) - At(i, steps[i], j, -steps[j]) - At(i, -steps[i], j, steps[j]) + At(i, -steps[i], j, -steps[j])) / (4 * steps[i] * steps[j]);
                hessian[i, j] = value;
                hessian[j, i] = value;
            }
        }

        return hessian;
    }

    /// <summary>
    /// The Hessian by central differences of a closed-form <paramref name="gradient"/>, with the steps of <see cref="Hessian"/>,
    /// symmetrized: 2n gradient calls rather than ~2n² function evaluations. Null where the gradient gives none or a non-finite one.
    /// </summary>
    public static double[,]? HessianOfGradient(Func<double[], double[]?> gradient, double[] x)
    {
        ArgumentNullException.ThrowIfNull(gradient);
        ArgumentNullException.ThrowIfNull(x);
        var n = x.Length;
        var rows = new double[n][];
        for (var i = 0; i < n; i++)
        {
            var step = 1e-4 * Math.Max(Math.Abs(x[i]), 1e-8);
            var up = (double[])x.Clone();
            var down = (double[])x.Clone();
            up[i] += step;
            down[i] -= step;
            var (gu, gd) = (gradient(up), gradient(down));
            if (gu is null || gd is null || gu.Length != n || gd.Length != n)
            {
                return null;
            }

            rows[i] = gu.Select((v, j) => (v - gd[j]) / (2 * step)).ToArray();
            if (!rows[i].All(double.IsFinite))
            {
                return null;
            }
        }

        var hessian = new double[n, n];
        for (var i = 0; i < n; i++)
        {
            for (var j = 0; j < n; j++)
            {
                hessian[i, j] = (rows[i][j] + rows[j][i]) / 2;
            }
        }

        return hessian;
    }

    /// <summary>The inverse of a symmetric positive-definite matrix by Cholesky; null when it is not positive definite.</summary>
    public static double[,]? InvertPositiveDefinite(double[,] a)
    {
        var n = a.GetLength(0);
        var l = new double[n, n];
        for (var i = 0; i < n; i++)
        {
            for (var j = 0; j <= i; j++)
            {
                var sum = a[i, j];
                for (var k = 0; k < j; k++)
                {
                    sum -= l[i, k] * l[j, k];
                }

                if (i == j)
                {
                    if (!(sum > 0))
                    {
                        return null;
                    }

                    l[i, i] = Math.Sqrt(sum);
                }
                else
                {
                    l[i, j] = sum / l[j, j];
                }
            }
        }

        // Solve L Lᵀ X = I column by column.
        var inverse = new double[n, n];
        for (var c = 0; c < n; c++)
        {
            var y = new double[n];
            for (var i = 0; i < n; i++)
            {
                var sum = i == c ? 1.0 : 0.0;
                for (var k = 0; k < i; k++)
                {
                    sum -= l[i, k] * y[k];
                }

                y[i] = sum / l[i, i];
            }

            for (var i = n - 1; i >= 0; i--)
            {
                var sum = y[i];
                for (var k = i + 1; k < n; k++)
                {
                    sum -= l[k, i] * inverse[k, c];
                }

                inverse[i, c] = sum / l[i, i];
            }
        }

        return inverse;
    }

    private static double Dot(double[] a, double[] b)
    {
        var sum = 0.0;
        for (var i = 0; i < a.Length; i++)
        {
            sum += a[i] * b[i];
        }

        return sum;
    }

    private static double[,] Identity(int n)
    {
        var m = new double[n, n];
        for (var i = 0; i < n; i++)
        {
            m[i, i] = 1;
        }

        return m;
    }
}
