package dev.mldev.deploy;

import dev.mldev.MldevException;
import dev.mldev.Progress;
import dev.mldev.runtime.ImageResult;
import dev.mldev.runtime.PendingImage;
import dev.mldev.runtime.Prediction;
import dev.mldev.runtime.Predictor;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.function.Consumer;

/** A place deployments live (local, vertex, vertex-pipeline): what can be done to one once it exists. */
public interface Target {
    /** Predictions for the images, in order, with each prediction's image named as given. */
    List<Prediction> predict(DeploymentRecord deployment, List<Predictor.Input> images, int topK, Progress progress);

    /**
     * Predicts a stream of images, handing each result to {@code results} in input order; an image that cannot
     * be read becomes a failed result, and {@code results} may throw to stop the stream. This default reads all
     * the images and makes one {@link #predict} call; a target that can keep several requests in flight
     * overrides it, so that results come out as they are answered and memory follows the requests in flight.
     */
    default void predictEach(
            DeploymentRecord deployment,
            Iterator<PendingImage> images,
            int topK,
            Progress progress,
            Consumer<ImageResult> results) {
        List<ImageResult> unread = new ArrayList<>(); // in input order, null where the image was read
        List<Predictor.Input> inputs = new ArrayList<>();
        while (images.hasNext()) {
            PendingImage image = images.next();
            try {
                inputs.add(image.read());
                unread.add(null);
            } catch (MldevException e) {
                unread.add(ImageResult.failed(image.name(), e));
            }
        }
        Iterator<Prediction> predictions =
                (inputs.isEmpty() ? List.<Prediction>of() : predict(deployment, inputs, topK, progress)).iterator();
        for (ImageResult failed : unread) {
            results.accept(failed != null ? failed : ImageResult.of(predictions.next()));
        }
    }

    DeploymentStatus status(DeploymentRecord deployment);

    /** Removes everything the deployment runs or bills; {@code purge} also removes what it stored. */
    void undeploy(DeploymentRecord deployment, boolean purge, Progress progress);
}
