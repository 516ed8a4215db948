package dev.mldev.deploy;

import dev.mldev.Progress;
import dev.mldev.runtime.Prediction;
import dev.mldev.runtime.Predictor;
import java.util.List;

/** A place deployments live (local, vertex, vertex-pipeline): what can be done to one once it exists. */
public interface Target {
    /** Predictions for the images, in order, with each prediction's image named as given. */
    List<Prediction> predict(DeploymentRecord deployment, List<Predictor.Input> images, int topK, Progress progress);

    DeploymentStatus status(DeploymentRecord deployment);

    /** Removes everything the deployment runs or bills; {@code purge} also removes what it stored. */
    void undeploy(DeploymentRecord deployment, boolean purge, Progress progress);
}
