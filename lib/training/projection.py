"""Müller et al. (2019)'s picture of the penultimate layer.

"Pick three classes, find an orthonormal basis of the plane crossing the templates of these three
classes, project the penultimate layer activations of examples from these three classes onto this
plane" (Müller, Kornblith & Hinton, *When does label smoothing help?*, NeurIPS 2019, §2).

The templates are the rows ``w_a, w_b, w_c`` of the final linear layer. The plane through them has
origin at their centroid and an orthonormal basis from Gram–Schmidt on ``(w_b − w_a, w_c − w_a)``.
A point ``x`` maps to ``((x − c)·u₁, (x − c)·u₂)``: its orthogonal projection, in plane coordinates.
"""

from __future__ import annotations

import numpy as np

from lib.cifar.data import CLASSES

# airplane/automobile/bird is Müller et al.'s own CIFAR-10 triple; cat/dog/deer are easily confused
# neighbours; ship/truck/frog are far apart.
CLASS_TRIPLES: tuple[tuple[str, str, str], ...] = (
    ("airplane", "automobile", "bird"),
    ("cat", "dog", "deer"),
    ("ship", "truck", "frog"),
)


def template_plane(templates: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """(centroid (D,), orthonormal basis (2, D)) of the plane through three (3, D) templates."""
    t = np.asarray(templates, dtype=np.float64)
    if t.ndim != 2 or t.shape[0] != 3:
        raise ValueError(f"need three templates as a (3, D) array, got shape {t.shape}")
    u1 = t[1] - t[0]
    n1 = np.linalg.norm(u1)
    v = t[2] - t[0]
    u2 = v - (v @ u1) / (n1 * n1) * u1 if n1 > 0 else v
    n2 = np.linalg.norm(u2)
    if n1 < 1e-12 or n2 < 1e-12:
        raise ValueError("the three templates are collinear: they span no plane")
    return t.mean(axis=0), np.stack([u1 / n1, u2 / n2])


def project_onto_plane(points: np.ndarray, templates: np.ndarray) -> np.ndarray:
    """(N, D) activations → (N, 2) coordinates in the plane through the three templates."""
    centroid, basis = template_plane(templates)
    return (np.asarray(points, dtype=np.float64) - centroid) @ basis.T


def project_triples(penultimate: np.ndarray, labels: np.ndarray, weight: np.ndarray,
                    triples=CLASS_TRIPLES, per_class: int = 300, seed: int = 0) -> list[dict]:
    """For each class triple: a fixed sample of ``per_class`` test images per class, projected.

    Returns JSON-ready dicts: ``classes``, ``templates`` (3, 2) and per-class point lists ``x``, ``y``.
    """
    rng = np.random.default_rng(seed)
    result = []
    for triple in triples:
        ids = [CLASSES.index(name) for name in triple]
        templates = weight[ids]
        entry = {"classes": list(triple), "templates": project_onto_plane(templates, templates).round(4).tolist(),
                 "points": {}}
        for name, cid in zip(triple, ids, strict=True):
            members = np.flatnonzero(labels == cid)
            pick = np.sort(rng.choice(members, size=min(per_class, len(members)), replace=False))
            xy = project_onto_plane(penultimate[pick], templates).round(4)
            entry["points"][name] = {"x": xy[:, 0].tolist(), "y": xy[:, 1].tolist()}
        result.append(entry)
    return result
