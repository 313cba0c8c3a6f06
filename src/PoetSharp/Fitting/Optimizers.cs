namespace PoetSharp.Fitting;

/// <summary>The optimisers by name, as the command line selects them.</summary>
public static class Optimizers
{
    public static readonly string[] Names = ["lm", "cg", "cmaes"];

    public static IOptimizer Create(string name) => name.ToLowerInvariant() switch
    {
        "lm" or "levenberg-marquardt" => new LevenbergMarquardt(),
        "cg" or "conjugate-gradient" => new ConjugateGradient(),
        "cmaes" or "cma-es" => new CmaEs(),
        _ => throw new ArgumentException($"unknown optimizer '{name}'; expected one of {string.Join(", ", Names)}"),
    };
}
