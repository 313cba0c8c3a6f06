using PoetSharp.Simulation;

namespace PoetSharp.Properties;

/// <summary>
/// The cell sizes and tolerances the property suite uses. <see cref="Converged"/> (the default of <c>poet properties</c>)
/// uses each builder's converged defaults. <see cref="Screening"/> is what a search pays for every candidate that could
/// enter its archive: the smallest set-ups whose error, measured against the converged ones on the Mishin Cu EAM,
/// Sutton–Chen and POET's GP1 (PropertySetupTests; numbers in docs/properties.md), stays well below the tolerance a
/// fitting target has by default (<see cref="TargetTolerances"/>):
/// <list type="bullet">
/// <item>vacancy in a 3×3×3 cell (108 sites) instead of 4×4×4 (Mishin: 1.2753 against 1.2726 eV in the limit; tolerance 0.1 eV);</item>
/// <item>⟨100⟩ dumbbell in 3×3×3 at zero pressure (Mishin: 3.038 against ≈3.074 eV; tolerance 0.1 eV);</item>
/// <item>surfaces as 12 Å slabs with 8 Å of vacuum (instead of 24 and 12; a few tenths of a per cent; tolerance 10 %);</item>
/// <item>stacking faults with 4 repeats (12 planes) instead of 16 (Mishin: 44.44 against 44.40 mJ/m²);</item>
/// <item>hcp c/a scanned on 13 points instead of 25, lattice lengths solved to 1e-7 Å instead of 1e-11 Å;</item>
/// <item>relaxations to 1e-3 eV/Å and, for the dumbbell's cell, 1e-4 eV/Å³ (energies are quadratic in the residual force
/// and stress, so they move by far less than the tolerances).</item>
/// </list>
/// </summary>
public sealed record PropertySetup
{
    public string Name { get; init; } = "converged";
    public int VacancySupercell { get; init; } = Defects.DefaultSupercell;
    /// <summary>Conventional cubes per direction of a diamond-structure element's vacancy cell (8 n³ sites).</summary>
    public int DiamondVacancySupercell { get; init; } = Defects.DefaultDiamondSupercell;
    public int DumbbellSupercell { get; init; } = Defects.DefaultDumbbellSupercell;
    /// <summary>The fcc vacancy's cell: constant volume (the default; converged in the supercell) or zero pressure.</summary>
    public CellRelaxation VacancyCell { get; init; } = CellRelaxation.Fixed;
    /// <summary>The dumbbell's cell: zero pressure (the default, the isolated defect's limit) or constant volume (as small DFT cells often are).</summary>
    public CellRelaxation DumbbellCell { get; init; } = CellRelaxation.Isotropic;
    public int MigrationSupercell { get; init; } = Defects.DefaultMigrationSupercell;
    public double SurfaceThickness { get; init; } = Surfaces.DefaultThickness;
    public double SurfaceVacuum { get; init; } = Surfaces.DefaultVacuum;
    public int StackingRepeats { get; init; } = StackingFaults.DefaultRepeats;
    /// <summary>How finely lattice constants are solved.</summary>
    public LatticeSearch Lattice { get; init; } = LatticeSearch.Converged;
    /// <summary>Relaxations stop below this force (eV/Å); null: each builder's own tolerance.</summary>
    public double? ForceTolerance { get; init; }

    public static PropertySetup Converged { get; } = new();

    public static PropertySetup Screening { get; } = new()
    {
        Name = "screening",
        VacancySupercell = 3,
        DumbbellSupercell = 3,
        MigrationSupercell = 3,
        SurfaceThickness = 12,
        SurfaceVacuum = 8,
        StackingRepeats = 4,
        Lattice = new LatticeSearch { CoverAPoints = 13, LengthTolerance = 1e-7, CoverATolerance = 1e-8 },
        ForceTolerance = 1e-3,
        StressTolerance = 1e-4,
        MaxRelaxationSteps = 2000,
    };

    /// <summary>The relaxation settings of a builder whose own default is <paramref name="builderDefault"/>.</summary>
    internal RelaxationSettings? Relaxation(RelaxationSettings builderDefault) =>
        ForceTolerance is { } f
            ? builderDefault with { ForceTolerance = f, StressTolerance = StressTolerance ?? builderDefault.StressTolerance, MaxSteps = MaxRelaxationSteps ?? builderDefault.MaxSteps }
            : null;

    /// <summary>Relaxations give up after this many steps (a property then fails rather than holding up a search); null: the builder's own limit.</summary>
    public int? MaxRelaxationSteps { get; init; }

    /// <summary>Cell relaxations (the dumbbell's) stop below this stress (eV/Å³); null: the builder's own tolerance.</summary>
    public double? StressTolerance { get; init; }
}
