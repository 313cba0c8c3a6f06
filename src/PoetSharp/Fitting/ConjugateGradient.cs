namespace PoetSharp.Fitting;

/// <summary>
/// Nonlinear conjugate gradient (Polak–Ribière+, β = max(0, β_PR)) on f = ½Σr² with gradient Jᵀr, preconditioned by
/// the Gauss–Newton matrix JᵀJ. Restarts along the preconditioned steepest descent every n iterations, when the
/// direction is not a descent direction, or when successive gradients are far from conjugate (Powell). Steps come from
/// a strong-Wolfe line search (bracketing, then zoom by safeguarded cubic interpolation) in which an invalid model
/// counts as f = +∞ and is backtracked from. The first trial step is the minimiser of the linearised residuals along
/// the direction, −gᵀd / ‖Jd‖², which is exact for linear problems.
/// </summary>
/// <remarks>
/// Without preconditioning, CG's progress in a long narrow valley depends on the Hessian's condition: in the constants
/// of Sutton–Chen (a prefactor and the power ½ of the density sum compensate each other) JᵀJ has a condition of 3·10⁷
/// even after scaling each constant by its magnitude, and 3,000 evaluations left 1.6 % error. Preconditioned CG runs the
/// same iteration in the metric of a fixed matrix M ≈ Hessian: d = −M⁻¹g + β d, β = (g − g₋)ᵀM⁻¹g / g₋ᵀM⁻¹g₋. For
/// least squares M = JᵀJ (plus a ridge of 10⁻¹⁰ of its diagonal, so that redundant parameters keep it definite) is at
/// hand with every gradient; it is refreshed at each restart and held fixed in between, as conjugacy needs. For the
/// handful of constants of a POET model the n×n Cholesky factorisation costs nothing next to an evaluation.
/// </remarks>
public sealed class ConjugateGradient : IOptimizer
{
    public string Name => "cg";

    /// <summary>Sufficient-decrease constant c₁ of the Wolfe conditions.</summary>
    public double SufficientDecrease { get; init; } = 1e-4;

    /// <summary>Curvature constant c₂ of the strong Wolfe conditions (0.1 is the usual choice for CG).</summary>
    public double Curvature { get; init; } = 0.1;

    /// <summary>Stop (converged) when max |Jᵀr| falls to this.</summary>
    public double GradientTolerance { get; init; } = 1e-14;

    /// <summary>Trial points allowed in one line search.</summary>
    public int MaxLineSearchEvaluations { get; init; } = 40;

    /// <summary>Work in parameters measured in units of their starting magnitudes (see <see cref="ScaledProblem"/>).</summary>
    public bool ScaleParameters { get; init; } = true;

    /// <summary>Precondition by the Gauss–Newton matrix (see the remarks); false for plain Polak–Ribière+.</summary>
    public bool GaussNewtonPreconditioner { get; init; } = true;

    public OptimizationResult Minimize(ILeastSquaresProblem problem, ReadOnlySpan<double> start, OptimizationBudget budget)
    {
        if (!(SufficientDecrease > 0 && SufficientDecrease < Curvature && Curvature < 1))
            throw new ArgumentException("The Wolfe constants must satisfy 0 < c1 < c2 < 1.");
        if (!ScaleParameters || start.Length != problem.ParameterCount)
            return new Run(this, new OptimizerRun(problem, start, budget), start).Execute();
        var scaled = new ScaledProblem(problem, start);
        var x0 = new double[start.Length];
        scaled.ToScaled(start, x0);
        var result = new Run(this, new OptimizerRun(scaled, x0, budget), x0).Execute();
        return result with { Parameters = scaled.FromScaled(result.Parameters) };
    }

    private enum SearchOutcome { Success, Failed, Budget }

    /// <summary>A point of the line search: step length, φ = f(x + αd), φ' = ∇f·d, and whether the model was valid.</summary>
    private struct LinePoint
    {
        public double Alpha, Value, Slope;
        public bool Valid => double.IsFinite(Value);
    }

    private sealed class Run
    {
        private readonly ConjugateGradient options;
        private readonly OptimizerRun run;
        private readonly int n;
        private readonly double[] x, gradientPrevious, direction, step;
        // M⁻¹g now and at the previous point; M's Cholesky factor (lower triangle) and the matrix it came from.
        private readonly double[] preconditioned, preconditionedPrevious, normal, factor;
        // Current point and two line-search points (trial and best-so-far "lo"), swapped by reference, never reallocated.
        private double[] residuals, jacobian, gradient;
        private double[] xTrial, residualsTrial, jacobianTrial, gradientTrial;
        private double[] xLow, residualsLow, jacobianLow, gradientLow;
        private double cost;
        private string budgetReason = "";

        public Run(ConjugateGradient options, OptimizerRun run, ReadOnlySpan<double> start)
        {
            this.options = options;
            this.run = run;
            n = run.ParameterCount;
            int m = run.ResidualCount;
            x = start.ToArray();
            gradientPrevious = new double[n];
            preconditioned = new double[n];
            preconditionedPrevious = new double[n];
            normal = new double[n * n];
            factor = new double[n * n];
            direction = new double[n];
            step = new double[n];
            residuals = new double[m];
            jacobian = new double[m * n];
            gradient = new double[n];
            xTrial = new double[n];
            residualsTrial = new double[m];
            jacobianTrial = new double[m * n];
            gradientTrial = new double[n];
            xLow = new double[n];
            residualsLow = new double[m];
            jacobianLow = new double[m * n];
            gradientLow = new double[n];
        }

        public OptimizationResult Execute()
        {
            cost = run.Evaluate(x, residuals, jacobian);
            if (double.IsPositiveInfinity(cost))
                return Result(false, "the model is invalid at the start point");
            OptimizerRun.Gradient(jacobian, residuals, gradient);

            bool steepest = true;
            int sinceRestart = 0;
            SteepestDescent();

            while (true)
            {
                if (cost == 0)
                    return Result(true, "zero cost reached");
                if (OptimizerRun.MaxAbs(gradient) <= options.GradientTolerance)
                    return Result(true, "gradient norm below tolerance");
                if (run.Exhausted(out string reason))
                    return Result(false, reason);

                double slope = OptimizerRun.Dot(gradient, direction);
                if (!(slope < 0))
                {
                    SteepestDescent();
                    steepest = true;
                    sinceRestart = 0;
                    slope = OptimizerRun.Dot(gradient, direction);
                }

                double previousCost = cost;
                SearchOutcome outcome = LineSearch(slope, out LinePoint accepted, out bool gotLower);
                if (outcome != SearchOutcome.Success)
                {
                    if (gotLower)
                        AcceptLow(accepted);
                    if (outcome == SearchOutcome.Budget)
                        return Result(false, budgetReason);
                    if (!gotLower)
                    {
                        if (steepest && StepNegligibleAt(accepted.Alpha))
                            return Result(true, "parameter change below tolerance");
                        if (steepest)
                            return Result(false, "line search along the steepest descent found no lower cost");
                        SteepestDescent();
                        steepest = true;
                        sinceRestart = 0;
                        continue;
                    }
                }
                else
                {
                    AcceptLow(accepted);
                }

                for (int k = 0; k < n; k++)
                    step[k] = accepted.Alpha * direction[k];
                // A tiny step along a stale conjugate direction says little about stationarity: only trust the tests
                // after a steepest-descent step, and otherwise restart.
                bool smallDecrease = previousCost - cost <= run.Budget.RelativeCostTolerance * previousCost;
                bool smallStep = run.StepNegligible(step, x);
                if (steepest && smallDecrease)
                    return Result(true, "relative cost decrease below tolerance");
                if (steepest && smallStep)
                    return Result(true, "parameter change below tolerance");
                if (smallDecrease || smallStep)
                {
                    SteepestDescent();
                    steepest = true;
                    sinceRestart = 0;
                    continue;
                }

                // Polak–Ribière+ in M's metric, restarted every n iterations or when gradients lose conjugacy.
                sinceRestart++;
                Precondition();
                double previousNorm = OptimizerRun.Dot(gradientPrevious, preconditionedPrevious);
                double currentNorm = OptimizerRun.Dot(gradient, preconditioned);
                double overlap = OptimizerRun.Dot(gradient, preconditionedPrevious);
                if (sinceRestart >= n || Math.Abs(overlap) >= 0.2 * currentNorm || outcome != SearchOutcome.Success)
                {
                    SteepestDescent();
                    steepest = true;
                    sinceRestart = 0;
                    continue;
                }
                double beta = Math.Max(0, (currentNorm - overlap) / previousNorm);
                for (int k = 0; k < n; k++)
                    direction[k] = -preconditioned[k] + beta * direction[k];
                steepest = beta == 0;
                if (steepest)
                    sinceRestart = 0;
            }
        }

        /// <summary>Restarts along −M⁻¹g, with M refreshed from the current Jacobian.</summary>
        private void SteepestDescent()
        {
            if (options.GaussNewtonPreconditioner)
                Factor();
            Precondition();
            for (int k = 0; k < n; k++)
                direction[k] = -preconditioned[k];
        }

        /// <summary>M⁻¹g into <see cref="preconditioned"/>, keeping the previous one; g itself without a preconditioner.</summary>
        private void Precondition()
        {
            Array.Copy(preconditioned, preconditionedPrevious, n);
            if (!options.GaussNewtonPreconditioner)
            {
                Array.Copy(gradient, preconditioned, n);
                return;
            }
            OptimizerRun.CholeskySolve(factor, n, gradient, preconditioned);
        }

        /// <summary>
        /// Cholesky factor of M = JᵀJ + ε·diag(JᵀJ) at the current point, ε = 10⁻¹⁰ raised a hundredfold until the
        /// factorisation is clearly positive definite; a parameter the residuals do not depend on gets a unit diagonal.
        /// </summary>
        private void Factor()
        {
            OptimizerRun.NormalMatrix(jacobian, n, normal);
            double maxDiagonal = 0;
            for (int k = 0; k < n; k++)
                maxDiagonal = Math.Max(maxDiagonal, normal[k * n + k]);
            double floor = maxDiagonal > 0 ? 1e-12 * maxDiagonal : 1;
            for (double ridge = 1e-10; ; ridge *= 100)
            {
                for (int a = 0; a < n; a++)
                {
                    for (int b = 0; b <= a; b++)
                        factor[a * n + b] = normal[a * n + b];
                    factor[a * n + a] += ridge * Math.Max(normal[a * n + a], floor);
                }
                if (OptimizerRun.CholeskyFactor(factor, n, 1e-14))
                    return;
                if (ridge >= 1)
                    break;
            }
            // Not reached for a finite Jacobian (M is then diagonally dominant); plain CG as the last resort.
            Array.Clear(factor);
            for (int k = 0; k < n; k++)
                factor[k * n + k] = 1;
        }

        private bool StepNegligibleAt(double alpha)
        {
            for (int k = 0; k < n; k++)
                step[k] = alpha * direction[k];
            return run.StepNegligible(step, x);
        }

        /// <summary>Moves to the line-search point held in the "low" buffers, keeping the old gradient for β.</summary>
        private void AcceptLow(LinePoint point)
        {
            Array.Copy(gradient, gradientPrevious, n);
            Array.Copy(xLow, x, n);
            (residuals, residualsLow) = (residualsLow, residuals);
            (jacobian, jacobianLow) = (jacobianLow, jacobian);
            (gradient, gradientLow) = (gradientLow, gradient);
            cost = point.Value;
        }

        /// <summary>Evaluates φ(α) into the trial buffers.</summary>
        private LinePoint Probe(double alpha)
        {
            for (int k = 0; k < n; k++)
                xTrial[k] = x[k] + alpha * direction[k];
            double value = run.Evaluate(xTrial, residualsTrial, jacobianTrial);
            double slope = double.NaN;
            if (double.IsFinite(value))
            {
                OptimizerRun.Gradient(jacobianTrial, residualsTrial, gradientTrial);
                slope = OptimizerRun.Dot(gradientTrial, direction);
            }
            return new LinePoint { Alpha = alpha, Value = value, Slope = slope };
        }

        /// <summary>Makes the last probe the best point so far ("lo"), by swapping buffers.</summary>
        private void KeepTrialAsLow()
        {
            (xLow, xTrial) = (xTrial, xLow);
            (residualsLow, residualsTrial) = (residualsTrial, residualsLow);
            (jacobianLow, jacobianTrial) = (jacobianTrial, jacobianLow);
            (gradientLow, gradientTrial) = (gradientTrial, gradientLow);
        }

        private double InitialStep(double slope)
        {
            // Minimiser of ½‖r + αJd‖²: exact for linear residuals, a good guess otherwise.
            double curvature = OptimizerRun.JacobianProductNormSquared(jacobian, direction);
            double alpha = curvature > 0 ? -slope / curvature : 0;
            if (!(alpha > 0 && double.IsFinite(alpha)))
                alpha = 1 / Math.Sqrt(OptimizerRun.Dot(direction, direction));
            return alpha;
        }

        /// <summary>
        /// Strong Wolfe line search (Nocedal &amp; Wright, algorithms 3.5 and 3.6). On success the accepted point is in
        /// the "low" buffers. On failure <paramref name="gotLower"/> says whether a point with sufficient decrease was
        /// found nonetheless (also in the "low" buffers); the returned point's Alpha is then the last step tried.
        /// </summary>
        private SearchOutcome LineSearch(double slope0, out LinePoint result, out bool gotLower)
        {
            double c1 = options.SufficientDecrease, c2 = options.Curvature;
            var origin = new LinePoint { Alpha = 0, Value = cost, Slope = slope0 };
            LinePoint previous = origin;
            double alpha = InitialStep(slope0);
            gotLower = false;
            result = origin;
            int probes = 0;

            while (true)
            {
                if (run.Exhausted(out budgetReason))
                    return SearchOutcome.Budget;
                if (probes++ >= options.MaxLineSearchEvaluations)
                {
                    result = gotLower ? previous : new LinePoint { Alpha = alpha };
                    return SearchOutcome.Failed;
                }
                LinePoint current = Probe(alpha);
                if (!current.Valid || current.Value > cost + c1 * alpha * slope0 || (probes > 1 && current.Value >= previous.Value))
                    return Zoom(previous, current, origin, ref probes, out result, ref gotLower);
                if (Math.Abs(current.Slope) <= -c2 * slope0)
                {
                    KeepTrialAsLow();
                    result = current;
                    return SearchOutcome.Success;
                }
                KeepTrialAsLow();
                gotLower = true;
                result = current;
                if (current.Slope >= 0)
                    return Zoom(current, previous, origin, ref probes, out result, ref gotLower);
                previous = current;
                alpha *= 4;
            }
        }

        /// <summary>
        /// Zoom between <paramref name="low"/> (valid, sufficient decrease, lowest so far, its point in the "low"
        /// buffers unless it is the origin) and <paramref name="high"/> (possibly invalid).
        /// </summary>
        private SearchOutcome Zoom(LinePoint low, LinePoint high, LinePoint origin, ref int probes, out LinePoint result, ref bool gotLower)
        {
            double c1 = options.SufficientDecrease, c2 = options.Curvature;
            double directionNorm = Math.Sqrt(OptimizerRun.Dot(direction, direction));
            double xNorm = Math.Sqrt(OptimizerRun.Dot(x, x));
            double tolerance = run.Budget.ParameterTolerance;
            result = low;
            while (true)
            {
                if (run.Exhausted(out budgetReason))
                    return SearchOutcome.Budget;
                double width = Math.Abs(high.Alpha - low.Alpha);
                if (probes++ >= options.MaxLineSearchEvaluations || width * directionNorm <= 1e-16 * (xNorm + tolerance))
                {
                    result = gotLower ? low : new LinePoint { Alpha = Math.Max(low.Alpha, width) };
                    return SearchOutcome.Failed;
                }
                double alpha = Interpolate(low, high);
                LinePoint current = Probe(alpha);
                if (!current.Valid || current.Value > origin.Value + c1 * alpha * origin.Slope || current.Value >= low.Value)
                {
                    high = current;
                    continue;
                }
                KeepTrialAsLow();
                gotLower = true;
                if (Math.Abs(current.Slope) <= -c2 * origin.Slope)
                {
                    result = current;
                    return SearchOutcome.Success;
                }
                if (current.Slope * (high.Alpha - low.Alpha) >= 0)
                    high = low;
                low = current;
                result = low;
            }
        }

        /// <summary>
        /// Next trial in the bracket: the minimiser of the cubic through both ends (values and slopes), else of the
        /// quadratic through low's value and slope and high's value, kept at least a tenth of the width from either end;
        /// towards an invalid end, a backtrack to a fifth of the width from low.
        /// </summary>
        private static double Interpolate(LinePoint low, LinePoint high)
        {
            double a = low.Alpha, b = high.Alpha, width = b - a;
            if (!high.Valid)
                return a + 0.2 * width;

            double trial = double.NaN;
            double d1 = low.Slope + high.Slope - 3 * (low.Value - high.Value) / (a - b);
            double discriminant = d1 * d1 - low.Slope * high.Slope;
            if (discriminant >= 0)
            {
                double d2 = Math.Sign(b - a) * Math.Sqrt(discriminant);
                trial = b - (b - a) * (high.Slope + d2 - d1) / (high.Slope - low.Slope + 2 * d2);
            }
            if (!double.IsFinite(trial))
            {
                double denominator = 2 * (high.Value - low.Value - low.Slope * width);
                trial = denominator > 0 ? a - low.Slope * width * width / denominator : double.NaN;
            }
            double lowerBound = a + 0.1 * width, upperBound = b - 0.1 * width;
            if (lowerBound > upperBound)
                (lowerBound, upperBound) = (upperBound, lowerBound);
            if (!double.IsFinite(trial) || trial < lowerBound || trial > upperBound)
                trial = a + 0.5 * width;
            return trial;
        }

        private OptimizationResult Result(bool converged, string reason)
            => new((double[])x.Clone(), cost, run.Evaluations, converged, reason);
    }
}
