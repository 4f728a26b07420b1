"""cartpole-dqn: deep Q-learning (DQN) on gymnasium's CartPole-v1.

A Q-network maps a state (cart position, cart velocity, pole angle, pole angular
velocity) to one value per action (push left, push right): Q(s, a), the return to
expect after taking a in s and acting well afterwards. DQN (Mnih et al., 2015) learns
it from its own play with two stabilisers:

- a replay buffer: transitions (s, a, r, s', terminated) are stored and learned from
  in random minibatches, which breaks the correlation of consecutive steps;
- a target network: a copy of the Q-network, synced every `TARGET_SYNC` steps, gives
  the regression targets y = r + gamma * max_a' Q_target(s', a') (y = r at a terminal
  state), so the targets do not move at every update.

Each environment step: act epsilon-greedily (a random action with probability epsilon,
decaying linearly from 1 to 0.05, else argmax_a Q(s, a) from one no_grad forward), store
the transition, then one Adam step on the Huber loss between Q(s, a) of the chosen
actions and y. Every `EVAL_EVERY` episodes the greedy policy plays `VAL_EPISODES`
validation episodes; the weights with the best validation score are kept (DQN's
return can collapse later in training) and training stops once that score is perfect.

Q-network: MLP 4-128-128-2, ReLU; Adam (learning rate 5e-4, gradients clipped to global
norm 10). Headline: the mean return of the kept weights over 100 greedy episodes on
fresh start states (test seeds); CartPole-v1 caps a return at 500 and counts >= 475 as
solved.

Run folder: model.baeum (the Q-network), history.csv + curves.png (per episode: return,
epsilon, loss), return_curve.png (return per training episode with a moving average),
result.json. `baeum evaluate RUN_DIR` replays the 100 test episodes.

gymnasium is an optional dependency: `pip install gymnasium` (or `baeum[rl]`).
"""

import copy

import numpy as np

import baeum
from baeum import layers, losses, optimizers
from baeum.models import Sequential
from baeum.recipes import figures
from baeum.recipes.run import Result

TARGET = 475.0
ENV_ID = "CartPole-v1"
GAMMA = 0.99
REPLAY_CAPACITY = 50_000
WARMUP_STEPS = 1_000           # random play before the first update
EPSILON_START, EPSILON_END, EPSILON_DECAY_STEPS = 1.0, 0.05, 10_000
TARGET_SYNC = 500              # steps between target-network syncs
EVAL_EVERY = 10                # training episodes between validation runs
VAL_EPISODES = 20
TEST_EPISODES = 100
MOVING_AVERAGE = 20
HIDDEN_UNITS = 128
CLIPNORM = 10.0               # clip each update's global gradient norm: no huge jumps


def import_gymnasium():
    try:
        import gymnasium
    except ImportError:
        raise ImportError(
            "the cartpole-dqn recipe needs gymnasium (an optional dependency of baeum): "
            "pip install gymnasium   (or pip install 'baeum[rl]')"
        ) from None
    return gymnasium


# Seeds of the evaluation episodes: validation (picks the weights) and test (the headline)
# start states never overlap, and both differ from the training episodes'.
def validation_seeds(seed):
    return [100_000 + 1_000 * seed + i for i in range(VAL_EPISODES)]


def test_seeds(seed):
    return [200_000 + 1_000 * seed + i for i in range(TEST_EPISODES)]


# ---------------------------------------------------------------- the pieces


def build_q_network(n_inputs=4, n_actions=2, units=None):
    """state (batch, 4) -> Q-values (batch, 2), one per action (no activation: any real)."""
    units = units or HIDDEN_UNITS
    return Sequential([
        layers.Input(shape=(n_inputs,)),
        layers.Dense(units, activation="relu"),
        layers.Dense(units, activation="relu"),
        layers.Dense(n_actions),
    ])


class ReplayBuffer:
    """A ring of the last `capacity` transitions, as NumPy arrays; sample() draws uniformly."""

    def __init__(self, capacity, state_dim):
        self.states = np.zeros((capacity, state_dim), np.float32)
        self.actions = np.zeros(capacity, np.int64)
        self.rewards = np.zeros(capacity, np.float32)
        self.next_states = np.zeros((capacity, state_dim), np.float32)
        self.terminated = np.zeros(capacity, np.float32)
        self.capacity, self.size, self.next = capacity, 0, 0

    def add(self, state, action, reward, next_state, terminated):
        i = self.next
        self.states[i], self.actions[i], self.rewards[i] = state, action, reward
        self.next_states[i], self.terminated[i] = next_state, terminated
        self.next = (i + 1) % self.capacity
        self.size = min(self.size + 1, self.capacity)

    def sample(self, batch_size, rng):
        idx = rng.integers(0, self.size, batch_size)
        return (self.states[idx], self.actions[idx], self.rewards[idx],
                self.next_states[idx], self.terminated[idx])


def greedy_action(q_network, state):
    """argmax_a Q(state, a): one forward of a single state, no graph."""
    with baeum.no_grad():
        q_values = q_network(state[None])
    return int(q_values.data[0].argmax())


def epsilon_at(step):
    """Linear decay from EPSILON_START to EPSILON_END over EPSILON_DECAY_STEPS steps."""
    fraction = min(step / EPSILON_DECAY_STEPS, 1.0)
    return EPSILON_START + fraction * (EPSILON_END - EPSILON_START)


def train_step(q_network, target_network, optimizer, loss_fn, batch):
    """One DQN update on a minibatch; returns the loss (a float)."""
    states, actions, rewards, next_states, terminated = batch
    with baeum.no_grad():  # the targets are constants: no gradient flows into them
        next_q = target_network(next_states).data.max(axis=1)
    targets = rewards + np.float32(GAMMA) * (1 - terminated) * next_q  # (batch,)

    q_values = q_network(states, training=True)                        # (batch, 2)
    q_taken = q_values[np.arange(len(actions)), actions]               # Q(s, a): (batch,)
    loss = loss_fn(targets[:, None], q_taken[:, None])

    optimizer.zero_grad()
    loss.backward()
    optimizer.step()
    return loss.item()


def play_greedy(q_network, env, seeds):
    """Returns of one greedy episode per seed (each reset with its seed: reproducible)."""
    returns = []
    for seed in seeds:
        state, _ = env.reset(seed=seed)
        total, done = 0.0, False
        while not done:
            state, reward, terminated, truncated, _ = env.step(greedy_action(q_network, state))
            total += reward
            done = terminated or truncated
        returns.append(total)
    return np.array(returns)


def moving_average(values, window):
    values = np.asarray(values, dtype=np.float64)
    cumulative = np.concatenate([[0.0], np.cumsum(values)])
    starts = np.maximum(np.arange(1, len(values) + 1) - window, 0)
    return (cumulative[1:] - cumulative[starts]) / (np.arange(1, len(values) + 1) - starts)


# ---------------------------------------------------------------- the recipe


def train(settings, run):
    gym = import_gymnasium()
    max_episodes = 3 if settings.smoke else settings.pick("epochs", 1500)
    batch_size = settings.pick("batch_size", 64)
    lr = settings.pick("lr", 5e-4)
    warmup = batch_size if settings.smoke else WARMUP_STEPS
    run.write_config(model=f"MLP 4-{HIDDEN_UNITS}-{HIDDEN_UNITS}-2 (ReLU)", env=ENV_ID,
                     max_episodes=max_episodes, batch_size=batch_size, lr=lr, gamma=GAMMA,
                     replay_capacity=REPLAY_CAPACITY, warmup_steps=warmup, target_sync=TARGET_SYNC,
                     epsilon=[EPSILON_START, EPSILON_END, EPSILON_DECAY_STEPS],
                     eval_every=EVAL_EVERY, val_episodes=VAL_EPISODES, loss="huber")

    rng = baeum.random.get_generator()  # seeded by the CLI from settings.seed
    env = gym.make(ENV_ID)
    eval_env = gym.make(ENV_ID)
    q_network = build_q_network()
    target_network = copy.deepcopy(q_network)
    optimizer = optimizers.Adam(q_network.trainable_weights, learning_rate=lr,
                                global_clipnorm=CLIPNORM)
    loss_fn = losses.Huber()
    buffer = ReplayBuffer(REPLAY_CAPACITY, env.observation_space.shape[0])
    n_actions = env.action_space.n

    history = {"return": [], "epsilon": [], "loss": []}
    evaluations = []  # (episode, validation mean return)
    best_score, best_weights = -np.inf, q_network.get_weights()
    step = 0
    state, _ = env.reset(seed=settings.seed)
    for episode in range(1, max_episodes + 1):
        if episode > 1:
            state, _ = env.reset()
        total, episode_losses, done = 0.0, [], False
        while not done:
            epsilon = epsilon_at(step)
            if rng.random() < epsilon:
                action = int(rng.integers(n_actions))
            else:
                action = greedy_action(q_network, state)
            next_state, reward, terminated, truncated, _ = env.step(action)
            # Only a real end (the pole fell) stops bootstrapping; the 500-step time limit
            # (truncated) does not make the next state worthless.
            buffer.add(state, action, reward, next_state, float(terminated))
            state, total, step = next_state, total + reward, step + 1
            done = terminated or truncated
            if step >= warmup:
                batch = buffer.sample(batch_size, rng)
                episode_losses.append(
                    train_step(q_network, target_network, optimizer, loss_fn, batch))
            if step % TARGET_SYNC == 0:
                target_network.set_weights(q_network.get_weights())
        history["return"].append(total)
        history["epsilon"].append(epsilon)
        history["loss"].append(float(np.mean(episode_losses)) if episode_losses else np.nan)

        if episode % EVAL_EVERY == 0 or episode == max_episodes:
            score = float(play_greedy(q_network, eval_env, validation_seeds(settings.seed)).mean())
            evaluations.append((episode, score))
            if score >= best_score:  # ties go to the later, longer-trained weights
                best_score, best_weights = score, q_network.get_weights()
            if settings.verbose:
                recent = np.mean(history["return"][-MOVING_AVERAGE:])
                print(f"episode {episode:4d}  step {step:6d}  epsilon {epsilon:.3f}  "
                      f"return (last {MOVING_AVERAGE}) {recent:6.1f}  validation {score:6.1f}  "
                      f"best {best_score:6.1f}", flush=True)
            if best_score >= 500.0:  # every validation episode reached the time limit
                break

    q_network.set_weights(best_weights)
    run.write_history(history)
    run.save_model(q_network)
    return_curve(history["return"], evaluations, run.path("return_curve.png"))
    result = evaluate(q_network, settings, run)
    result.extra.update(episodes=episode, env_steps=step, best_validation=best_score)
    return result


def return_curve(returns, evaluations, path):
    episodes = np.arange(1, len(returns) + 1)
    series = {
        "return per training episode": (episodes, returns),
        f"moving average ({MOVING_AVERAGE} episodes)": (episodes,
                                                        moving_average(returns, MOVING_AVERAGE)),
    }
    if evaluations:
        series[f"greedy validation ({VAL_EPISODES} episodes)"] = tuple(zip(*evaluations))
    figures.lines(series, path, xlabel="episode", ylabel="return",
                  title=f"{ENV_ID}: DQN training (solved = {TARGET:.0f})")


def evaluate(model, settings, run):
    gym = import_gymnasium()
    episodes = test_seeds(settings.seed)[:10 if settings.smoke else TEST_EPISODES]
    returns = play_greedy(model, gym.make(ENV_ID), episodes)
    return Result(f"mean return over {len(returns)} greedy episodes", float(returns.mean()),
                  TARGET, extra={"min_return": float(returns.min())})
